import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface WsPair {
  /** The server's side of the connection and the upgrade request it came with, as graphql-ws gets them. */
  socket: WebSocket;
  request: IncomingMessage;
  tcp: Socket;
  client: WebSocket;
  /** Every text message the client has received, in order. */
  received: string[];
  close(): Promise<void>;
}

/** One WebSocket over loopback TCP, both ends in this process. */
export async function wsPair(): Promise<WsPair> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = once(wss, 'connection') as Promise<[WebSocket, IncomingMessage]>;
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data: Buffer) => received.push(data.toString('utf8')));
  const [[socket, request]] = await Promise.all([accepted, once(client, 'open')]);
  return {
    socket,
    request,
    tcp: request.socket,
    client,
    received,
    async close() {
      client.terminate();
      for (const peer of wss.clients) peer.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
