import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Heartbeat } from '../../src/http/live-socket/heartbeat.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the WebSocket heartbeat', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const step of cleanup.splice(0)) step();
  });

  const serve = async (intervalMs: number) => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const heartbeat = new Heartbeat(intervalMs);
    wss.on('connection', (socket) => heartbeat.add(socket));
    cleanup.push(() => {
      heartbeat.stop();
      for (const client of wss.clients) client.terminate();
      wss.close();
    });
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    return { wss, url, heartbeat };
  };

  it('keeps clients that answer its pings and drops one that stopped answering, pinging every socket each interval', async () => {
    const { wss, url } = await serve(240);
    const live = Array.from({ length: 30 }, () => new WebSocket(url));
    const silent = new WebSocket(url, { autoPong: false });
    await Promise.all([...live, silent].map((socket) => once(socket, 'open')));
    const pinged = new Map<WebSocket, number>();
    for (const socket of [...live, silent]) socket.on('ping', () => pinged.set(socket, (pinged.get(socket) ?? 0) + 1));
    const closed = once(silent, 'close');

    await sleep(1_000);
    // Every socket had a ping in each interval, whichever slice it is in; the one that never answered was dropped
    // after its second.
    for (const socket of live) {
      expect(socket.readyState).toBe(WebSocket.OPEN);
      expect(pinged.get(socket)).toBeGreaterThanOrEqual(3);
    }
    await closed;
    expect(silent.readyState).toBe(WebSocket.CLOSED);
    expect(wss.clients.size).toBe(30);
    for (const socket of live) socket.close();
  });

  it('lets a socket go once it closes', async () => {
    const { url, heartbeat } = await serve(120);
    const clients = Array.from({ length: 5 }, () => new WebSocket(url));
    await Promise.all(clients.map((client) => once(client, 'open')));
    await sleep(50);
    expect(heartbeat.watching()).toBe(5);
    clients[0]!.close();
    clients[1]!.terminate();
    await Promise.all([once(clients[0]!, 'close'), once(clients[1]!, 'close')]);
    await sleep(100);
    expect(heartbeat.watching()).toBe(3);
  });
});
