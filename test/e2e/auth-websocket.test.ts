import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { alice } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// api.md, Auth: on WebSocket the token travels in connectionParams.authorization; without a valid one the socket is
// closed with 4403 at connection_init.

let server: TestServer;
const clients: Client[] = [];
beforeAll(async () => {
  server = await startTestServer({ projector: false });
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server?.close();
});

function connect(connectionParams: Record<string, unknown> | undefined) {
  let closed: (event: { code: number; reason: string }) => void = () => {};
  const closedWith = new Promise<{ code: number; reason: string }>((resolve) => (closed = resolve));
  const client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    ...(connectionParams ? { connectionParams } : {}),
    onNonLazyError: () => {},
    on: { closed: (event) => closed(event as { code: number; reason: string }) },
  });
  clients.push(client);
  return { client, closedWith };
}

function query(client: Client, document: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe({ query: document }, { next: (value) => (result = value), error: reject, complete: () => resolve(result) });
  });
}

describe('WebSocket authentication', () => {
  it('runs operations for a connection that presented a valid token', async () => {
    const { client } = connect(await server.authHeader(alice));
    expect(await query(client, '{ viewer { id tenantId } }')).toEqual({ data: { viewer: { id: 'alice', tenantId: 'acme' } } });
  });

  it('accepts the header name as GraphiQL users paste it (Authorization)', async () => {
    const { client } = connect({ Authorization: `Bearer ${await server.token(alice)}` });
    expect(await query(client, '{ viewer { id } }')).toEqual({ data: { viewer: { id: 'alice' } } });
  });

  it('closes a connection without a token with 4403 Forbidden', async () => {
    const { closedWith } = connect(undefined);
    expect(await closedWith).toMatchObject({ code: 4403, reason: 'Forbidden' });
  });

  it('closes a connection with an invalid or expired token with 4403', async () => {
    const bad = connect({ authorization: 'Bearer not-a-jwt' });
    expect((await bad.closedWith).code).toBe(4403);
    const expired = connect({ authorization: `Bearer ${await server.token(alice, { expiresIn: -60 })}` });
    expect((await expired.closedWith).code).toBe(4403);
    const tenantless = connect({ authorization: `Bearer ${await server.token({ sub: 'alice', tenant: '' })}` });
    expect((await tenantless.closedWith).code).toBe(4403);
  });

  it('closes at connection_init on the bare protocol too, without acknowledging', async () => {
    const { code, messages } = await rawSession([{ type: 'connection_init', payload: { authorization: 'Bearer forged' } }]);
    expect(code).toBe(4403);
    expect(messages).toEqual([]);
  });

  it('runs nothing sent before the connection is acknowledged', async () => {
    const { code, messages } = await rawSession([
      { type: 'connection_init', payload: { authorization: 'Bearer forged' } },
      { id: '1', type: 'subscribe', payload: { query: '{ viewer { id } }' } },
    ]);
    // graphql-ws closes with 4401 (subscribe before ack) or 4403 (bad token), whichever comes first.
    expect([4401, 4403]).toContain(code);
    expect(messages).toEqual([]);
  });

  it('closes the connection with 4403 when its token expires', async () => {
    const { client, closedWith } = connect({ authorization: `Bearer ${await server.token(alice, { expiresIn: 2 })}` });
    expect(await query(client, '{ viewer { id } }')).toEqual({ data: { viewer: { id: 'alice' } } });
    expect(await closedWith).toMatchObject({ code: 4403 });
  });
});

/** Speaks the protocol by hand: sends the messages, then collects what comes back until the server closes. */
async function rawSession(send: object[]): Promise<{ code: number; messages: string[] }> {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  await new Promise((resolve) => socket.once('open', resolve));
  for (const message of send) socket.send(JSON.stringify(message));
  const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
  return { code, messages };
}
