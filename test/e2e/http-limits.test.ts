import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { getIntrospectionQuery, Kind, parse, print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bob } from '../support/personas.ts';
import { postGraphQL, startTestServer, type TestServer } from '../support/server.ts';

// Every real query of api.md and of the client documents passes the depth, cost, alias, directive and token
// limits; abusive ones are refused before anything executes; oversized bodies and messages are refused.

let server: TestServer;
let auth: { authorization: string };
const clients: Client[] = [];
beforeAll(async () => {
  server = await startTestServer({ projector: false });
  auth = await server.authHeader(bob);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server?.close();
});

const documents = new URL('./documents/', import.meta.url);
const fragments = readFileSync(new URL('fragments.graphql', documents), 'utf8');

/** The operation with the fragments it spreads (an unused fragment makes a document invalid). */
function withFragments(operation: string): string {
  const used = parse(fragments).definitions.filter(
    (fragment) => fragment.kind === Kind.FRAGMENT_DEFINITION && operation.includes(`...${fragment.name.value}`),
  );
  return [operation, ...used.map((fragment) => print(fragment))].join('\n');
}

/** Every operation of the typed client documents. */
function clientOperations(): string[] {
  return ['queries.graphql', 'mutations.graphql', 'subscriptions.graphql']
    .flatMap((file) => parse(readFileSync(new URL(file, documents), 'utf8')).definitions)
    .filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
    .map((definition) => withFragments(print(definition)));
}

const LIMIT_ERROR = /depth|cost|alias|directive|token/i;

async function expectAccepted(query: string) {
  const response = await postGraphQL(server.url, query, auth);
  const limitErrors = (response.body.errors ?? []).filter((error) => LIMIT_ERROR.test(error.message));
  expect(limitErrors).toEqual([]);
  return response;
}

/**
 * A subscription over SSE: a refusal comes at once as the stream's first event; an accepted subscription just
 * waits for changes, so whatever arrived within a second is what the server had to say about the document.
 */
async function expectSubscriptionAccepted(query: string) {
  const controller = new AbortController();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const timer = setTimeout(() => controller.abort(), 1_000);
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    // aborted: the subscription was accepted and is waiting
  } finally {
    clearTimeout(timer);
  }
  expect(text).not.toMatch(LIMIT_ERROR);
}

async function expectRefused(query: string, pattern: RegExp) {
  const response = await postGraphQL(server.url, query, auth);
  expect(response.status).toBe(400);
  expect(response.body.data ?? null).toBeNull();
  const refusal = response.body.errors?.find((error) => pattern.test(error.message));
  expect(refusal).toBeDefined();
  return refusal!;
}

const DOCUMENTED_NESTED = '{ vmRequests { edges { node { project { members { userId } } } } } }';
const PAGE_OF_100 = withFragments(
  'query { vmRequests(first: 100) { edges { cursor node { ...VmRequestFields project { ...ProjectFields } } } pageInfo { hasNextPage endCursor } } }',
);
const PAGE_OF_100_WITH_AUDIT = withFragments(`query { vmRequests(first: 100) { edges { node { ...VmRequestFields
  timeline { type actorId occurredAt details }
  auditTrail { verified events { position streamVersion type data metadata recordedAt hash } }
  project { ...ProjectFields } } } } }`);

describe('query limits', () => {
  it("lets api.md's nested Relay query through, and executes it", async () => {
    const response = await expectAccepted(DOCUMENTED_NESTED);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ vmRequests: { edges: [] } });
  });

  it('lets every operation of the client documents through', async () => {
    const operations = clientOperations();
    expect(operations.length).toBeGreaterThan(10);
    for (const query of operations) {
      // Variables are left out: whatever the resolvers say about that, the limits must not be what refuses.
      if (query.trimStart().startsWith('subscription')) await expectSubscriptionAccepted(query);
      else await expectAccepted(query);
    }
  });

  it('lets a full page of 100 requests with their projects through, and GraphiQL introspection', async () => {
    const page = await expectAccepted(PAGE_OF_100);
    expect(page.body.errors).toBeUndefined();
    const introspection = await expectAccepted(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true }));
    expect(introspection.body.errors).toBeUndefined();
    expect(introspection.body.data?.['__schema']).toBeTruthy();
  });

  it('refuses a query deeper than 8 levels', async () => {
    const deep = '{ __type(name: "VmRequest") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }';
    const refusal = await expectRefused(deep, /depth/i);
    expect(refusal.extensions?.['code']).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a query whose estimated cost is too high', async () => {
    await expectRefused(PAGE_OF_100_WITH_AUDIT, /cost/i);
  });

  it('refuses more than 15 aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    await expectRefused(`{ ${aliases} }`, /alias/i);
  });

  it('refuses more than 20 directives', async () => {
    const directives = Array.from({ length: 30 }, () => '@include(if: true)').join(' ');
    await expectRefused(`{ viewer { id ${directives} } }`, /directive/i);
  });

  it('refuses a document of more than 1,000 tokens', async () => {
    const fields = Array.from({ length: 1200 }, () => 'id').join(' ');
    await expectRefused(`{ viewer { ${fields} } }`, /token/i);
  });

  it('applies the same limits over WebSocket', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: auth, retryAttempts: 0 });
    clients.push(client);
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const errors = await new Promise<readonly { message: string }[]>((resolve, reject) => {
      client.subscribe({ query: `{ ${aliases} }` }, { next: () => reject(new Error('executed')), error: (e) => resolve(e as { message: string }[]), complete: () => reject(new Error('completed')) });
    });
    expect(errors.some((error) => /alias/i.test(error.message))).toBe(true);
  });
});

describe('operations per WebSocket', () => {
  const POLL = { timeout: 10_000, interval: 25 };

  it('refuses operations beyond the cap of one socket, and admits new ones as others end', async () => {
    const capped = await startTestServer({ database: server.database, projector: false, maxOperationsPerSocket: 2 });
    try {
      const header = await capped.authHeader(bob);
      const client = createClient({ url: capped.wsUrl, webSocketImpl: WebSocket, connectionParams: header, retryAttempts: 0 });
      clients.push(client);
      const live = 'subscription { vmRequestChanges { cursor } }';
      const refusals: unknown[] = [];
      const open = () => client.subscribe({ query: live }, { next: () => {}, error: (error) => refusals.push(error), complete: () => {} });
      const first = open();
      open();
      await expect.poll(() => capped.services.live.subscriberCount(), POLL).toBe(2);
      open();
      await expect.poll(() => refusals.length, POLL).toBe(1);
      expect(JSON.stringify(refusals[0])).toContain('TOO_MANY_OPERATIONS');
      first();
      await expect.poll(() => capped.services.live.subscriberCount(), POLL).toBe(1);
      open();
      await expect.poll(() => capped.services.live.subscriberCount(), POLL).toBe(2);
      expect(refusals).toHaveLength(1);
    } finally {
      await capped.close();
    }
  });
});

describe('input size limits', () => {
  const bigQuery = `{ viewer { id } } # ${'x'.repeat(2 * 1024 * 1024)}`;

  it('refuses a body over 1 MiB with 413', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: bigQuery }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses an oversized body sent without Content-Length (chunked)', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ query: bigQuery }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) controller.enqueue(bytes.slice(offset, offset + 64 * 1024));
        controller.close();
      },
    });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(response.status).toBe(413);
    // The answer came before the rest of the body, so the connection closes: kept alive, it held the unread body
    // and the next request on it was reset after seconds.
    expect(response.headers.get('connection')).toBe('close');
    for (let i = 0; i < 3; i++) {
      const next = await fetch(`${server.url}?query=${encodeURIComponent('{ viewer { id } }')}`, { headers: auth });
      expect(next.status).toBe(200);
    }
  });

  it('answers a 100 KB URL with 414 (not a reset), and headers that are too large with 431', async () => {
    const longUrl = await fetch(`${server.url}?query=${encodeURIComponent('{ viewer { id } }')}&pad=${'a'.repeat(100_000)}`, { headers: auth });
    expect(longUrl.status).toBe(414);
    expect(await longUrl.json()).toEqual({ error: expect.stringMatching(/URL is too long.*POST/) });
    const bigHeaders = await fetch(server.url, { headers: { ...auth, 'x-padding': 'a'.repeat(40_000) } });
    expect(bigHeaders.status).toBe(431);
    // A client still sending its head when the answer comes reads the answer, then the close.
    const raw = await rawExchange(`GET /graphql?pad=${'a'.repeat(300_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(raw.text).toMatch(/^HTTP\/1\.1 414 /);
    expect(raw.end).toBe('closed');
  });

  it('answers a body shorter than its Content-Length: 400 when the client stops sending, 408 and a close when it stalls', async () => {
    const head = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${auth.authorization}\r\nContent-Length: 100\r\n\r\n`;
    const body = '{"query":"{ viewer { id } }"}';
    const halfClosed = await rawExchange(head + body, { halfClose: true });
    expect(halfClosed.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(halfClosed.end).toBe('closed');
    // Through yoga's own path too (a request with an Origin does not take the JSON POST path).
    const stalled = [await rawExchange(head + body), await rawExchange(head.replace('Host: x', 'Host: x\r\nOrigin: http://localhost:5173') + body)];
    for (const answer of stalled) {
      expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer.text).toContain('stopped arriving');
      expect(answer.end).toBe('closed');
    }
    expect(server.logs.filter((line) => line.includes('request failed'))).toEqual([]);
  });

  it('closes a WebSocket that sends a message over 1 MiB (1009)', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: auth }));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: bigQuery } }));
    const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
    expect(code).toBe(1009);
  });
});

/**
 * Writes `text` on a fresh connection (then half-closes it with `halfClose`) and collects what comes back until the
 * server closes the connection; 'open' when it is still open after 20 s (the server holds it), 'reset' on a reset.
 */
function rawExchange(text: string, options: { halfClose?: boolean } = {}): Promise<{ text: string; end: 'closed' | 'reset' | 'open' }> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    let received = '';
    let end: 'closed' | 'reset' | 'open' = 'closed';
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(text);
      if (options.halfClose) socket.end();
    });
    const held = setTimeout(() => {
      end = 'open';
      socket.destroy();
    }, 20_000);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => (end = 'reset'));
    socket.on('close', () => {
      clearTimeout(held);
      resolve({ text: received, end });
    });
  });
}
