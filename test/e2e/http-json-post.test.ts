import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plugin } from 'graphql-yoga';
import { negotiatedJson } from '../../src/http/json-post.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { bob } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// src/http/json-post.ts serves plain JSON POSTs through yoga's envelop without yoga's Fetch API layer. Two servers
// on one database and one secret, one with that path and one without, get the same requests: the answers must be
// the same (status, headers, body), and a plugin hook that only yoga's own path runs tells which path took each.

let database: TestDatabase;
let fast: TestServer;
let yoga: TestServer;
let token: string;
let projectId: string;
const yogaRequests = { fast: 0, yoga: 0 };
const countYoga = (which: keyof typeof yogaRequests): Plugin => ({
  onRequest() {
    yogaRequests[which]++;
  },
});

beforeAll(async () => {
  database = await createTestDatabase();
  const auth = { secret: randomBytes(32).toString('base64url'), secretSource: 'options' as const };
  fast = await startTestServer({ database, auth, plugins: [countYoga('fast')] });
  yoga = await startTestServer({ database, auth, plugins: [countYoga('yoga')], jsonPostPath: false, projector: false });
  token = await fast.token(bob);
  const created = await post(fast, { query: 'mutation($n: String!) { createProject(input: { name: $n }) { ... on CreateProjectPayload { project { id } } } }', variables: { n: 'Web shop' } });
  projectId = (created.body as { data: { createProject: { project: { id: string } } } }).data.createProject.project.id;
}, 60_000);
afterAll(async () => {
  await fast?.close();
  await yoga?.close();
  await database?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const seen: Record<string, string> = {};
  // Everything but what differs by nature between two servers and two moments.
  response.headers.forEach((value, name) => {
    if (!['date', 'x-request-id', 'keep-alive', 'connection'].includes(name)) seen[name] = value;
  });
  // Request ids differ from server to server; so do ids of things created.
  const normalized = text.replace(/"requestId":"[^"]+"/g, '"requestId":"<id>"');
  return { status: response.status, headers: seen, body: normalized ? (JSON.parse(normalized) as unknown) : null };
}

/** The same request to both servers: the same answer, and the path each took. */
async function both(body: unknown, headers: Record<string, string> = {}): Promise<{ answer: Answer; viaYoga: boolean }> {
  const before = yogaRequests.fast;
  const [a, b] = [await post(fast, body, headers), await post(yoga, body, headers)];
  expect(a).toEqual(b);
  return { answer: a, viaYoga: yogaRequests.fast > before };
}

const ACCEPTS = [undefined, '*/*', 'application/json', 'application/graphql-response+json', 'application/graphql-response+json, application/json'];

describe('JSON POST path', () => {
  it.each(ACCEPTS)('answers a query as yoga does (Accept: %s), without yoga', async (accept) => {
    const { answer, viaYoga } = await both({ query: '{ viewer { id tenantId roles } vmSizes { size vcpus } }' }, accept ? { accept } : {});
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(`${negotiatedJson(accept)}; charset=utf-8`);
    expect(answer.body).toMatchObject({ data: { viewer: { id: 'bob', tenantId: 'acme' } } });
    expect(viaYoga).toBe(false);
  });

  it.each(ACCEPTS)('answers validation errors as yoga does (Accept: %s)', async (accept) => {
    const { answer, viaYoga } = await both({ query: '{ viewer { noSuchField } }' }, accept ? { accept } : {});
    expect(answer.status).toBe(accept?.startsWith('application/graphql-response+json') ? 400 : 200);
    expect(JSON.stringify(answer.body)).toContain('noSuchField');
    expect(viaYoga).toBe(false);
  });

  it('answers variable and domain errors of a mutation as yoga does, writing once per request', async () => {
    const mutation = 'mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) { __typename ... on Error { message } } }';
    const wrongType = await both({ query: mutation, variables: { input: { projectId, vmName: 'web-01', size: 'HUGE', justification: 'Load tests next week' } } });
    expect(JSON.stringify(wrongType.answer.body)).toContain('HUGE');
    expect(wrongType.viaYoga).toBe(false);
    const refused = await both({ query: mutation, variables: { input: { projectId, vmName: 'x', size: 'M', justification: 'Load tests next week' } } });
    expect(refused.answer.body).toMatchObject({ data: { createVmRequest: { __typename: 'ValidationError' } } });
    expect(refused.viaYoga).toBe(false);
  });

  it('answers a successful mutation as yoga does (its cursor in the header and in extensions), without yoga', async () => {
    const mutation = 'mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) { __typename } }';
    const answers: Answer[] = [];
    for (const [server, vmName] of [[fast, 'json-fast-01'], [yoga, 'json-yoga-01']] as const) {
      const before = yogaRequests.fast;
      const answer = await post(server, { query: mutation, variables: { input: { projectId, vmName, size: 'S', justification: 'Load tests next week' } } });
      if (server === fast) expect(yogaRequests.fast).toBe(before);
      const cursor = answer.headers['dvmm-cursor'];
      expect(cursor).toMatch(/^[A-Za-z0-9_=-]+$/);
      expect(answer.body).toEqual({ data: { createVmRequest: { __typename: 'CreateVmRequestPayload' } }, extensions: { cursor } });
      // The two writes have their own cursors; everything else is the same.
      answers.push({ ...answer, headers: { ...answer.headers, 'dvmm-cursor': '<cursor>' }, body: { ...(answer.body as object), extensions: { cursor: '<cursor>' } } });
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('refuses abusive documents as yoga does', async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const { answer, viaYoga } = await both({ query: `{ ${aliases} }` }, { accept: 'application/graphql-response+json' });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('QUERY_TOO_COMPLEX');
    expect(viaYoga).toBe(false);
  });

  it.each(ACCEPTS)('answers syntax errors as yoga does (Accept: %s)', async (accept) => {
    const query = `{ viewer { id ${accept ?? ''}`; // a new text each time: yoga caches parse errors by text
    const { answer, viaYoga } = await both({ query }, accept ? { accept } : {});
    expect(answer.body).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    expect(answer.status).toBe(accept?.startsWith('application/graphql-response+json') ? 400 : 200);
    expect(viaYoga).toBe(false);
    // Both paths again: yoga's cache now answers, and still the same.
    expect((await both({ query }, accept ? { accept } : {})).answer).toEqual(answer);
  });

  it.each(['text/event-stream', 'application/json, text/event-stream'])('streams a subscription over SSE through yoga (Accept: %s)', async (accept) => {
    const response = await fetch(fast.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, accept },
      body: JSON.stringify({ query: 'subscription { vmRequestChanges { cursor vmRequest { vmName } } }' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const vmName = `sse-${accept.length}`;
    const created = post(fast, { query: 'mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) { __typename } }', variables: { input: { projectId, vmName, size: 'S', justification: 'Streamed through the fallback' } } });
    let text = '';
    while (!text.includes(vmName)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await created;
    await reader.cancel();
    expect(text).toContain(`"vmName":"${vmName}"`);
  });

  it.each(ACCEPTS)('refuses a subscription sent as a plain JSON POST (Accept: %s) at once, as yoga does, naming WebSocket and SSE', async (accept) => {
    const query = { query: 'subscription { vmRequestChanges { cursor } }' };
    for (const server of [fast, yoga]) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) },
        body: JSON.stringify(query),
      });
      // Today's event stream would never end: look at the head before reading a body.
      if (response.status !== 406) await response.body?.cancel();
      expect(response.status).toBe(406);
    }
    const { answer } = await both(query, accept ? { accept } : {});
    expect(answer.body).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    expect(JSON.stringify(answer.body)).toMatch(/WebSocket.*text\/event-stream/);
  });

  it.each(ACCEPTS)('answers an operationName that names no operation as yoga does: 400 OPERATION_RESOLUTION_FAILURE (Accept: %s)', async (accept) => {
    for (const body of [
      { query: '{ viewer { id } }', operationName: 'Nope' },
      { query: 'query A { viewer { id } } query B { vmSizes { size } }' },
      { query: 'query A { viewer { id } } query B { vmSizes { size } }', operationName: 'C' },
    ]) {
      const { answer, viaYoga } = await both(body, accept ? { accept } : {});
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ errors: [{ message: 'Could not determine what operation to execute.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] });
      expect(viaYoga).toBe(false);
      // And as yoga answers it to a request it serves itself (with an Origin).
      expect((await post(yoga, body, { origin: fast.origin, ...(accept ? { accept } : {}) })).status).toBe(400);
    }
  });

  it.each([
    ['a batch', [{ query: '{ viewer { id } }' }]],
    ['an unknown parameter', { query: '{ viewer { id } }', persisted: true }],
    ['variables of the wrong type', { query: '{ viewer { id } }', variables: [1] }],
    ['no query', { variables: {} }],
    ['a body that is not JSON', '{"query": '],
  ])('leaves %s to yoga, with the body it read', async (_what, body) => {
    const { answer, viaYoga } = await both(body, { accept: 'application/graphql-response+json' });
    expect(answer.status).toBe(400);
    expect(viaYoga).toBe(true);
  });

  it('answers a failure outside execution as yoga does (masked, with the request id)', async () => {
    const failing: Plugin = {
      onContextBuilding() {
        throw new Error('relation "secrets" does not exist');
      },
    };
    const auth = { secret: randomBytes(32).toString('base64url'), secretSource: 'options' as const };
    const pair = [
      await startTestServer({ database, auth, plugins: [failing], projector: false }),
      await startTestServer({ database, auth, plugins: [failing], projector: false, jsonPostPath: false }),
    ] as const;
    try {
      const bearer = { authorization: `Bearer ${await pair[0].token(bob)}` };
      const [a, b] = [await post(pair[0], { query: '{ viewer { id } }' }, bearer), await post(pair[1], { query: '{ viewer { id } }' }, bearer)];
      expect(a).toEqual(b);
      expect(a.body).toMatchObject({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: '<id>' } }] });
      expect(JSON.stringify(a.body)).not.toContain('secrets');
    } finally {
      for (const server of pair) await server.close();
    }
  });

  it('leaves refused tokens to yoga (401 and its WWW-Authenticate)', async () => {
    const { answer, viaYoga } = await both({ query: '{ viewer { id } }' }, { authorization: 'Bearer not-a-token' });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(viaYoga).toBe(true);
  });

  it('leaves CORS requests and stream Accepts to yoga', async () => {
    const cors = await both({ query: '{ viewer { id } }' }, { origin: 'http://localhost:5173' });
    expect(cors.answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(cors.viaYoga).toBe(true);
    const other = await both({ query: '{ viewer { id } }' }, { accept: 'application/json;charset=latin1, text/html' });
    expect(other.answer.status).toBe(406);
    expect(other.viaYoga).toBe(true);
  });
});

describe('negotiatedJson (yoga result-processor/accept.js)', () => {
  it.each([
    [undefined, 'application/json'],
    ['*/*', 'application/json'],
    ['application/*', 'application/json'],
    ['application/json', 'application/json'],
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
    ['application/json, application/graphql-response+json', 'application/json'],
    ['text/html, application/json;charset=utf-8', 'application/json'],
    ['application/json;charset=latin1', null],
    ['text/event-stream', null],
    ['multipart/mixed, application/json', null],
  ])('%s -> %s', (accept, expected) => {
    expect(negotiatedJson(accept)).toBe(expected);
  });
});
