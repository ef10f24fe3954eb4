import { GraphQLError, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { GraphQLContext } from '../../src/graphql/index.ts';
import { alice } from '../support/personas.ts';
import { postGraphQL, startTestServer, type TestServer } from '../support/server.ts';

// api.md, Errors: unexpected failures are masked (no stack traces, no SQL) and logged with a request id.
// A schema of our own makes the failures happen on demand; the server around it is the real one.
const LEAK = 'relation "tenant_secrets" does not exist: SELECT token FROM tenant_secrets WHERE tenant_id = $1';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType<unknown, GraphQLContext>({
    name: 'Query',
    fields: {
      boom: {
        type: GraphQLString,
        resolve: () => {
          throw new Error(LEAK);
        },
      },
      refused: {
        type: GraphQLString,
        resolve: () => {
          throw new GraphQLError('Not for you', { extensions: { code: 'FORBIDDEN' } });
        },
      },
      requestId: { type: GraphQLString, resolve: (_root, _args, context) => context.requestId },
    },
  }),
  subscription: new GraphQLObjectType<unknown, GraphQLContext>({
    name: 'Subscription',
    fields: {
      failsLater: {
        type: GraphQLString,
        subscribe: async function* () {
          yield { failsLater: 'first' };
          throw new Error(LEAK);
        },
      },
    },
  }),
});

let server: TestServer;
let auth: { authorization: string };
const clients: Client[] = [];

beforeAll(async () => {
  server = await startTestServer({ schema, projector: false });
  auth = await server.authHeader(alice);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server?.close();
});

function expectMasked(error: { message: string; extensions?: Record<string, unknown> } | undefined, requestId: string) {
  expect(error?.message).toBe('Unexpected error.');
  expect(error?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId });
  const text = JSON.stringify(error);
  expect(text).not.toContain('tenant_secrets');
  expect(text).not.toMatch(/SELECT|stack|\.ts:\d+/);
}

function expectLogged(requestId: string) {
  const line = server.logs.find((entry) => entry.includes(requestId) && entry.includes('tenant_secrets'));
  expect(line, `a log line with ${requestId} and the original error`).toBeDefined();
  expect(line).toMatch(/^error /);
}

describe('masked unexpected errors', () => {
  it('over HTTP: a generic message with the request id, the real error only in the log', async () => {
    const response = await postGraphQL(server.url, '{ boom }', auth);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.data).toEqual({ boom: null });
    expectMasked(response.body.errors?.[0], requestId!);
    expectLogged(requestId!);
  });

  it("uses the caller's x-request-id when it is a plain token, and replaces anything else", async () => {
    const own = await postGraphQL(server.url, '{ requestId boom }', { ...auth, 'x-request-id': 'edge-7f3a.42' });
    expect(own.headers.get('x-request-id')).toBe('edge-7f3a.42');
    expect(own.body.data?.['requestId']).toBe('edge-7f3a.42');
    expectMasked(own.body.errors?.[0], 'edge-7f3a.42');

    const hostile = await postGraphQL(server.url, '{ requestId }', { ...auth, 'x-request-id': 'x"} forged=1 {"a' });
    const replaced = hostile.headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(hostile.body.data?.['requestId']).toBe(replaced);
  });

  it('outside execution (a plugin failing while the context is built): masked as well, with the request id', async () => {
    const failing = await startTestServer({
      schema,
      database: server.database,
      projector: false,
      plugins: [
        {
          onContextBuilding() {
            throw new Error(LEAK);
          },
        },
      ],
    });
    try {
      const response = await postGraphQL(failing.url, '{ requestId }', await failing.authHeader(alice));
      const requestId = response.headers.get('x-request-id')!;
      expectMasked(response.body.errors?.[0], requestId);
      expect(failing.logs.some((line) => line.includes('tenant_secrets'))).toBe(true);
      expect(failing.logs.some((line) => line.includes(requestId))).toBe(true);
    } finally {
      await failing.close();
    }
  });

  it('passes errors the schema raises on purpose unchanged', async () => {
    const response = await postGraphQL(server.url, '{ refused }', auth);
    expect(response.body.errors?.[0]).toMatchObject({ message: 'Not for you', extensions: { code: 'FORBIDDEN' } });
  });

  it('over WebSocket: each operation has its own request id, in the error and in the log', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: auth, retryAttempts: 0 });
    clients.push(client);
    const first = await collect(client, '{ requestId boom }');
    const second = await collect(client, '{ requestId boom }');
    const ids = [first, second].map((results) => results[0]?.data?.['requestId'] as string);
    expect(ids[0]).not.toBe(ids[1]);
    for (const [index, results] of [first, second].entries()) {
      expectMasked(results[0]?.errors?.[0], ids[index]!);
      expectLogged(ids[index]!);
    }
  });

  it('a subscription whose source fails midway: masked, with the request id of that subscription', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: auth, retryAttempts: 0 });
    clients.push(client);
    const results = await collect(client, 'subscription { failsLater }');
    expect(results[0]).toEqual({ data: { failsLater: 'first' } });
    const error = results.at(-1)?.errors?.[0];
    const requestId = error?.extensions?.['requestId'] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expectMasked(error, requestId);
    expectLogged(requestId);
  });

  it('a subscription over SSE that fails midway: masked, with the request id of the HTTP request', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
      body: JSON.stringify({ query: 'subscription { failsLater }' }),
    });
    const requestId = response.headers.get('x-request-id')!;
    const text = await response.text();
    expect(text).toContain('"failsLater":"first"');
    expect(text).toContain('Unexpected error.');
    expect(text).toContain(requestId);
    expect(text).not.toContain('tenant_secrets');
    expectLogged(requestId);
  });
});

describe('a request the server cannot read: 400, told in our words', () => {
  const ACCEPTS = [undefined, 'application/json', 'application/graphql-response+json'];

  it.each(ACCEPTS)('GET with variables or extensions that are not JSON (Accept: %s)', async (accept) => {
    const logged = server.logs.length;
    for (const params of ['variables=%7B', 'variables=%5B1', 'extensions=%7Bx', 'variables=%7B%7D&extensions=nope']) {
      const response = await fetch(`${server.url}?query=${encodeURIComponent('{ requestId }')}&${params}`, {
        headers: { ...auth, ...(accept ? { accept } : {}) },
      });
      const body = (await response.json()) as Result;
      expect(response.status, params).toBe(400);
      expect(body.errors?.[0]?.extensions, params).toEqual({ code: 'BAD_REQUEST' });
      expect(body.errors?.[0]?.message, params).toMatch(/variables and extensions/);
    }
    // A form POST carries its parameters the same way.
    const form = await fetch(server.url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
      body: `query=${encodeURIComponent('{ requestId }')}&variables=%7B`,
    });
    expect(form.status).toBe(400);
    // Not an unexpected error: nothing for the operator to look into.
    expect(server.logs.slice(logged).filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it.each(ACCEPTS)('a POST body that is not JSON: no parser internals in the answer (Accept: %s)', async (accept) => {
    for (const origin of [undefined, 'http://localhost:5173']) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', ...(accept ? { accept } : {}), ...(origin ? { origin } : {}) },
        body: '{"query": "{ requestId }", ',
      });
      const body = (await response.json()) as Result;
      expect(response.status).toBe(400);
      expect(body).toEqual({ errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
    }
  });
});

type Result = {
  data?: Record<string, unknown> | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
};

/** Runs one operation over graphql-ws and returns everything it produced (errors included, as results). */
function collect(client: Client, query: string): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const results: Result[] = [];
    client.subscribe<Record<string, unknown>>(
      { query },
      {
        next: (result) => results.push(result as Result),
        error: (error) => (Array.isArray(error) ? resolve([...results, { errors: error }]) : reject(error)),
        complete: () => resolve(results),
      },
    );
  });
}
