import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Property-based: whatever a client sends, as a mutation's input or as the HTTP request around an operation, the
// answer is data or a typed client error: never INTERNAL_SERVER_ERROR, never a 5xx, and a refused command writes
// nothing. The generator is seeded (FUZZ_SEED, default below) so a failure replays; fast-check's report names the
// seed and the shrunk counterexample. FUZZ_RUNS raises the cases per property for a longer hunt.
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261207);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 250);

let server: TestServer;
let tenant: Tenant;
let requestId: string;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await setupTenant(server);
  requestId = (await createRequest(server, tenant.aliceToken, tenant.projectId)).id;
});
afterAll(async () => {
  await server?.close();
});

const eventCount = async (): Promise<number> =>
  (await server.database.sql<{ n: number }[]>`select count(*)::int as n from events`)[0]!.n;

async function run<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncPropertyWithHooks<Ts>): Promise<void> {
  const details = await fc.check(property, { seed: SEED, numRuns: RUNS });
  if (details.failed) {
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\nReplay: FUZZ_SEED=${SEED} npx vitest run test/e2e/graphql-fuzz.test.ts`);
  }
}

// --- Values a client might send -------------------------------------------------------------------------------

/** Text as hostile as text gets: lone surrogates, control characters, emoji, and sometimes a lot of it. */
const nastyUnit = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('🚀', 'é', '\u200b', '\ufeff', '"', '\\', '$', '{', '}', '%', '\'', ' '),
);
const nastyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: nastyUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(300, 1_100, 70_000, 400_000).chain((n) => fc.constantFrom('x', 'é', '🚀', '\ud800', '\u0000').map((c) => c.repeat(n))) },
);
/** Anything JSON can carry, for a field that expects something else. */
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nastyText);

/** A field's value: usually plausible, often wrong in content, sometimes of the wrong type. */
const field = (plausible: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 5, arbitrary: plausible }, { weight: 3, arbitrary: nastyText }, { weight: 1, arbitrary: anyJson });

const ids = () => fc.constantFrom(tenant.projectId, requestId, 'UHJvamVjdDpub3BlCg==', '00000000-0000-4000-8000-000000000000');
const text = (...valid: string[]) => fc.constantFrom(...valid);
const version = fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: -5, max: 5 }), fc.constantFrom(2 ** 31, 2 ** 40, 1.5, -0));
const key = fc.option(fc.oneof(fc.uuid(), nastyText), { nil: undefined });

type Fields = Record<string, fc.Arbitrary<unknown>>;
const MUTATIONS: Record<string, { input: string; token: () => string; fields: () => Fields }> = {
  createVmRequest: {
    input: 'CreateVmRequestInput',
    token: () => tenant.aliceToken,
    fields: () => ({
      projectId: field(ids()),
      vmName: field(text('web-01', 'db-2', 'api')),
      size: field(text('S', 'M', 'L', 'XL')),
      justification: field(text('Needed for the load tests', 'Two lines\nof justification')),
      idempotencyKey: key,
    }),
  },
  approveVmRequest: {
    input: 'ApproveVmRequestInput',
    token: () => tenant.adminToken,
    fields: () => ({ id: field(ids()), expectedVersion: field(version), idempotencyKey: key }),
  },
  rejectVmRequest: {
    input: 'RejectVmRequestInput',
    token: () => tenant.adminToken,
    fields: () => ({ id: field(ids()), expectedVersion: field(version), reason: field(text('Too expensive for now')), idempotencyKey: key }),
  },
  cancelVmRequest: {
    input: 'CancelVmRequestInput',
    token: () => tenant.aliceToken,
    fields: () => ({ id: field(ids()), reason: fc.option(field(text('no longer needed')), { nil: undefined }), idempotencyKey: key }),
  },
  createProject: {
    input: 'CreateProjectInput',
    token: () => tenant.adminToken,
    fields: () => ({
      name: field(fc.integer({ min: 0, max: 1e6 }).map((n) => `Project ${n}`)),
      description: fc.option(field(text('A shop', 'Line one\nline two')), { nil: undefined }),
      idempotencyKey: key,
    }),
  },
  addProjectMember: {
    input: 'AddProjectMemberInput',
    token: () => tenant.adminToken,
    fields: () => ({ projectId: field(ids()), userId: field(text('carol', 'dave')), role: field(text('MEMBER', 'PROJECT_ADMIN')), idempotencyKey: key }),
  },
  removeProjectMember: {
    input: 'RemoveProjectMemberInput',
    token: () => tenant.adminToken,
    fields: () => ({ projectId: field(ids()), userId: field(text('carol', 'bob')), idempotencyKey: key }),
  },
  archiveProject: {
    input: 'ArchiveProjectInput',
    token: () => tenant.adminToken,
    fields: () => ({ projectId: field(ids()), idempotencyKey: key }),
  },
  unarchiveProject: {
    input: 'UnarchiveProjectInput',
    token: () => tenant.adminToken,
    fields: () => ({ projectId: field(ids()), idempotencyKey: key }),
  },
};

const documentOf = (mutation: string, input: string) =>
  `mutation Fuzz($input: ${input}!) { ${mutation}(input: $input) { __typename ... on Error { code message } ... on ValidationError { field } } }`;

// --- What every answer must be --------------------------------------------------------------------------------

interface Answer {
  status: number;
  contentType: string;
  body: { data?: Record<string, { __typename?: string } | null> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('text/event-stream')) {
    // A subscription the client asked to stream: it stays open by design, so its head is the answer.
    await response.body?.cancel();
    return { status: response.status, contentType, body: null };
  }
  const text = await response.text();
  let body: Answer['body'] = null;
  if (contentType.includes('json') && text !== '') body = JSON.parse(text) as Answer['body'];
  return { status: response.status, contentType, body };
}

function expectClientOutcome(answer: Answer, what: unknown): void {
  const context = JSON.stringify(what).slice(0, 2_000);
  expect(answer.status, context).toBeLessThan(500);
  for (const error of answer.body?.errors ?? []) {
    expect(error.extensions?.['code'], `${context}\n${JSON.stringify(error)}`).not.toBe('INTERNAL_SERVER_ERROR');
    expect(error.message, context).not.toBe('Unexpected error.');
  }
}

/** Whether the answer reports a command that succeeded (the only kind that may write). */
const succeeded = (answer: Answer): boolean =>
  Object.values(answer.body?.data ?? {}).some((result) => result?.__typename?.endsWith('Payload') ?? false);

async function expectWritesOnlyOnSuccess(answer: Answer, before: number, what: unknown): Promise<void> {
  if (!succeeded(answer)) expect(await eventCount(), `a refused command wrote: ${JSON.stringify(what).slice(0, 2_000)}`).toBe(before);
}

// --- Properties -----------------------------------------------------------------------------------------------

describe('fuzzing: any input gets data or a typed client error, and a refusal writes nothing', () => {
  it("every mutation's input", async () => {
    const cases = fc.oneof(
      ...Object.entries(MUTATIONS).map(([mutation, spec]) =>
        fc
          .tuple(
            fc.record(spec.fields(), { requiredKeys: [] }),
            fc.option(fc.dictionary(fc.constantFrom('owner', 'tenantId', 'status', '__proto__'), anyJson, { maxKeys: 1 }), { nil: undefined }),
          )
          .map(([input, extra]) => ({ mutation, input: { ...input, ...extra } })),
      ),
    );
    await run(
      fc.asyncProperty(cases, async ({ mutation, input }) => {
        const spec = MUTATIONS[mutation]!;
        const before = await eventCount();
        const answer = await send(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${spec.token()}` },
          body: JSON.stringify({ query: documentOf(mutation, spec.input), variables: { input } }),
        });
        const what = { mutation, input };
        expectClientOutcome(answer, what);
        // Typed: either the GraphQL layer refused the variables, or the mutation answered a member of its union.
        if (!answer.body?.errors) expect(answer.body?.data?.[mutation]?.__typename, JSON.stringify(what)).toMatch(/Payload$|Error$/);
        await expectWritesOnlyOnSuccess(answer, before, what);
      }),
    );
  });

  it('the HTTP envelope: method, content type, Accept, Origin, body shape, variables, operationName, extensions', async () => {
    const queries = fc.constantFrom(
      '{ viewer { id } }',
      'query A { viewer { id } } query B { vmSizes { size } }',
      'mutation M($input: CreateProjectInput!) { createProject(input: $input) { __typename } }',
      `mutation { createVmRequest(input: { projectId: "${tenant.projectId}", vmName: "env-01", size: S, justification: "Fuzzing the envelope" }) { __typename } }`,
      'subscription { vmRequestChanges { cursor } }',
      'subscription S($id: ID!) { vmRequestUpdated(id: $id) { id } }',
      '{ viewer { id ',
      '{ __schema { types { name } } }',
      'query Q($first: Int) { vmRequests(first: $first) { totalCount } }',
      `query R($id: ID!, $projectId: ID, $after: String, $before: String, $first: Int, $last: Int, $status: [VmRequestStatus!], $mine: Boolean) {
        node(id: $id) { id }
        vmRequest(id: $id) { id status }
        project(id: $id) { id name }
        projects(first: $first, after: $after, last: $last, before: $before) { totalCount edges { cursor } }
        vmRequests(first: $first, after: $after, last: $last, before: $before, filter: { projectId: $projectId, status: $status, mine: $mine }) { totalCount }
        pendingApprovals(projectId: $projectId, first: $first, after: $after) { totalCount }
      }`,
      'subscription C($since: String, $projectId: ID) { vmRequestChanges(since: $since, projectId: $projectId) { cursor } }',
    );
    // Arguments of the queries and subscriptions above: ids, cursors, page sizes and filters, plausible or not.
    const cursor = fc.oneof(fc.constantFrom('YXJyYXljb25uZWN0aW9uOjA=', 'eyJ0IjoiMjAyNi0wMS0wMSIsImlkIjoiYSJ9', ''), nastyText);
    const queryArguments = fc.record(
      {
        id: field(ids()),
        projectId: field(ids()),
        after: field(cursor),
        before: field(cursor),
        since: field(cursor),
        first: field(fc.integer({ min: -10, max: 1_000 })),
        last: field(fc.integer({ min: -10, max: 1_000 })),
        status: field(fc.constantFrom(['PENDING'], ['READY', 'FAILED'], [])),
        mine: field(fc.boolean()),
      },
      { requiredKeys: [] },
    );
    const params = fc.record(
      {
        query: fc.oneof({ weight: 4, arbitrary: queries }, { weight: 1, arbitrary: anyJson }),
        variables: fc.oneof(
          fc.constant({ input: { name: 'Envelope project' } }),
          fc.constant({ first: 5, id: requestId }),
          queryArguments,
          fc.record({ input: fc.record({ name: nastyText }), first: anyJson, id: anyJson }, { requiredKeys: [] }),
          anyJson,
        ),
        operationName: fc.oneof(fc.constantFrom('A', 'B', 'M', 'S', 'Q', 'R', 'C', 'Nope'), anyJson),
        extensions: fc.oneof(fc.constant({ persistedQuery: { version: 1, sha256Hash: 'abc' } }), anyJson),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      { weight: 6, arbitrary: params.map((p) => ({ kind: 'params' as const, params: p })) },
      { weight: 1, arbitrary: fc.array(params, { maxLength: 3 }).map((list) => ({ kind: 'json' as const, value: list as unknown })) },
      { weight: 1, arbitrary: anyJson.map((value) => ({ kind: 'json' as const, value })) },
      { weight: 1, arbitrary: nastyText.map((value) => ({ kind: 'raw' as const, value })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((value) => ({ kind: 'bytes' as const, value })) },
    );
    const envelope = fc.record({
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      contentType: fc.option(
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/json; charset=latin1',
          'application/graphql+json',
          'application/graphql-response+json',
          'application/graphql',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'multipart/mixed',
          'garbage',
        ),
        { nil: undefined },
      ),
      accept: fc.option(
        fc.constantFrom('*/*', 'application/json', 'application/graphql-response+json', 'text/event-stream', 'multipart/mixed', 'text/html', 'application/json;charset=latin1', ''),
        { nil: undefined },
      ),
      origin: fc.option(fc.constantFrom('http://localhost:5173', 'https://evil.example', 'null'), { nil: undefined }),
      auth: fc.constantFrom('admin', 'admin', 'alice', 'none', 'garbage'),
      body,
    });

    await run(
      fc.asyncProperty(envelope, async (request) => {
        const headers: Record<string, string> = {};
        if (request.contentType !== undefined) headers['content-type'] = request.contentType;
        if (request.accept !== undefined) headers['accept'] = request.accept;
        if (request.origin !== undefined) headers['origin'] = request.origin;
        if (request.auth === 'admin') headers['authorization'] = `Bearer ${tenant.adminToken}`;
        if (request.auth === 'alice') headers['authorization'] = `Bearer ${tenant.aliceToken}`;
        if (request.auth === 'garbage') headers['authorization'] = 'Bearer \u00ff.\u00fe';
        let url = server.url;
        let payload: BodyInit | undefined;
        const { body } = request;
        if (request.method === 'GET' || request.method === 'HEAD') {
          if (body.kind === 'params') url += `?${searchParams(body.params)}`;
        } else if (body.kind === 'params' || body.kind === 'json') {
          payload = JSON.stringify(body.kind === 'params' ? body.params : body.value);
        } else if (body.kind === 'raw') {
          payload = body.value;
        } else {
          payload = body.value;
        }
        const before = await eventCount();
        const answer = await send(url, { method: request.method, headers, ...(payload === undefined ? {} : { body: payload }) });
        expectClientOutcome(answer, request);
        await expectWritesOnlyOnSuccess(answer, before, request);
      }),
    );
  });
});

/** GET parameters as a client would put them in the URL: objects as JSON, strings as they are. */
function searchParams(params: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const raw = typeof value === 'string' ? value : JSON.stringify(value);
    // Past a few KiB a URL is refused for its length, which is not what this property is about.
    search.set(name, raw.slice(0, 2_000));
  }
  return search.toString();
}

