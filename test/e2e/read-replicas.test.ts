/**
 * Read replicas against a real primary and streaming replica (test/support/pg-replica.ts): where queries and the live
 * feed's reads go, read-your-writes while replay is paused, DVMM-Min-Cursor, a stopped replica.
 */
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createDb, createSql } from '../../src/db/client.ts';
import type { GlobalCheckpoint } from '../../src/event-store/index.ts';
import { compareCheckpoints, decodeCursor } from '../../src/projections/cursor.ts';
import { createReplicatedPair, findReplicationBinaries, type ReplicatedPair } from '../support/pg-replica.ts';
import { person } from '../support/personas.ts';
import { postGraphQL, startTestServer, type TestServer } from '../support/server.ts';
import { type Received, subscribeWs } from './graphql-clients.ts';

const bin = findReplicationBinaries();
const skip = !bin && process.env.CI !== 'true';
if (skip) console.warn('[read replicas] skipped: no Postgres binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql');

const TENANT = 'replicas';
const admin = person(TENANT, 'admin', 'admin');
const reader = person(TENANT, 'reader', 'admin');
const alice = person(TENANT, 'alice');

const CREATE_PROJECT = `mutation ($input: CreateProjectInput!) { createProject(input: $input) { ... on CreateProjectPayload { project { id } } ... on Error { code } } }`;
const ADD_MEMBER = `mutation ($input: AddProjectMemberInput!) { addProjectMember(input: $input) { __typename } }`;
const CREATE = `mutation ($input: CreateVmRequestInput!) { createVmRequest(input: $input) { ... on CreateVmRequestPayload { vmRequest { id version } } ... on Error { code } } }`;
const REQUEST = 'query ($id: ID!) { vmRequest(id: $id) { id version } }';
const CHANGES = 'subscription { vmRequestChanges { cursor vmRequest { id version } } }';

describe.skipIf(skip)('read replicas', () => {
  let pair: ReplicatedPair;
  let server: TestServer;
  let replicaSql: postgres.Sql;
  let primarySql: postgres.Sql;
  let projectId: string;
  let counter = 0;

  beforeAll(async () => {
    pair = await createReplicatedPair(bin!);
    const { primaryUrl, replicaUrl } = await pair.createMigratedDatabase('dvmm_read_replicas');
    primarySql = createSql(primaryUrl, { max: 20 });
    replicaSql = createSql(replicaUrl, { max: 2 });
    const database = { url: primaryUrl, sql: primarySql, db: createDb(primarySql), close: () => primarySql.end({ timeout: 5 }) };
    // A lag bound far above what a test's paused replay builds up: the replica stays in rotation, so reads that need
    // a position wait for it and fall back, rather than skip it.
    server = await startTestServer({ database, readReplicas: { urls: [replicaUrl], waitMs: 200, maxLagMs: 600_000 } });
    const created = await gql(admin, CREATE_PROJECT, { input: { name: 'Replicated', description: 'Read replica tests' } });
    projectId = created.body.data!['createProject'].project.id;
    await gql(admin, ADD_MEMBER, { input: { projectId, userId: 'alice', role: 'MEMBER' } });
    await vi.waitFor(() => expect(server.readReplicas.status()[0]?.state).toBe('in-rotation'), { timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await primarySql?.end({ timeout: 5 });
    await replicaSql?.end({ timeout: 5 });
    await pair?.destroy();
  });

  async function gql(who: typeof admin, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
    const answer = await postGraphQL(server.url, query, { ...(await server.authHeader(who)), ...headers }, variables);
    return answer as typeof answer & { body: { data?: Record<string, any> | null; extensions?: Record<string, unknown> } };
  }

  async function createRequest(): Promise<{ id: string; cursor: string; header: string | null }> {
    const answer = await gql(alice, CREATE, {
      input: { projectId, vmName: `vm-${++counter}`, size: 'S', justification: 'Read replica routing test' },
    });
    return {
      id: answer.body.data!['createVmRequest'].vmRequest.id,
      cursor: answer.body.extensions?.['cursor'] as string,
      header: answer.headers.get('dvmm-cursor'),
    };
  }

  const checkpointOn = async (sql: postgres.Sql): Promise<GlobalCheckpoint> => {
    const [row] = await sql<{ t: string; p: string }[]>`select transaction_id::text as t, position::text as p from projection_checkpoints where name = 'vm_requests'`;
    return { transactionId: BigInt(row!.t), position: BigInt(row!.p) };
  };
  const has = async (sql: postgres.Sql, cursor: string) => compareCheckpoints(await checkpointOn(sql), decodeCursor(cursor)!) >= 0;

  const counts = () => {
    const { routed, fallbacks } = server.readReplicas.stats();
    return { replica: routed.get('replica-1') ?? 0, primary: routed.get('primary') ?? 0, wait: fallbacks.get('wait') ?? 0, failed: fallbacks.get('failed') ?? 0 };
  };

  it("answers a mutation's cursor, and reads that ask for it from the replica once it has it", async () => {
    const { id, cursor, header } = await createRequest();
    expect(decodeCursor(cursor)).not.toBeNull();
    expect(header).toBe(cursor);

    await expect.poll(() => has(replicaSql, cursor)).toBe(true);
    const before = counts();
    const answer = await gql(reader, REQUEST, { id }, { 'DVMM-Min-Cursor': cursor });
    expect(answer.body.data?.['vmRequest']).toEqual({ id, version: 1 });
    const after = counts();
    expect(after.replica - before.replica).toBe(1);
    expect(after.wait - before.wait).toBe(0);
  });

  it("routes each of a caller's own follow-up queries once: to the replica that has the write, or to the primary after the wait", async () => {
    const before = counts();
    const seen: (number | null)[] = [];
    for (let i = 0; i < 20; i++) {
      const { id } = await createRequest();
      seen.push((await gql(alice, REQUEST, { id })).body.data?.['vmRequest']?.version ?? null);
    }
    const after = counts();
    const onReplica = after.replica - before.replica;
    const fellBack = after.wait - before.wait;
    console.log(`[read replicas] 20 writes each read back at once by their writer: ${onReplica} on the replica, ${fellBack} on the primary after the wait; versions seen ${JSON.stringify(seen)}`);
    expect(onReplica + fellBack).toBe(20);
    expect(after.primary - before.primary).toBe(fellBack);
  });

  it("answers a caller's own follow-up query from the primary while replay is paused, and from the replica once it resumes", async () => {
    await pair.replica.pauseReplay();
    try {
      const { id } = await createRequest();
      const before = counts();
      const own = await gql(alice, REQUEST, { id });
      expect(own.body.data?.['vmRequest']).toEqual({ id, version: 1 });
      const after = counts();
      expect(after.wait - before.wait).toBe(1);
      expect(after.primary - before.primary).toBe(1);
      // Anybody else, asking for nothing, reads the paused replica, which does not have it.
      expect((await gql(reader, REQUEST, { id })).body.data?.['vmRequest']).toBeNull();
      expect(counts().replica - after.replica).toBe(1);
      console.log(`[read replicas] replay paused: own follow-up query fell back after the wait (${after.wait - before.wait} fallback)`);

      await pair.replica.resumeReplay();
      await expect
        .poll(async () => {
          const start = counts();
          const again = await gql(alice, REQUEST, { id });
          const end = counts();
          return again.body.data?.['vmRequest']?.version === 1 && end.replica > start.replica && end.wait === start.wait;
        })
        .toBe(true);
    } finally {
      await pair.replica.resumeReplay();
    }
  });

  it('reads at least as fresh as DVMM-Min-Cursor (HTTP header, graphql-ws connection params) and refuses one that is no cursor', async () => {
    await pair.replica.pauseReplay();
    try {
      const { id, cursor } = await createRequest();
      expect((await gql(reader, REQUEST, { id })).body.data?.['vmRequest']).toBeNull();
      const before = counts();
      expect((await gql(reader, REQUEST, { id }, { 'DVMM-Min-Cursor': cursor })).body.data?.['vmRequest']).toEqual({ id, version: 1 });
      expect(counts().wait - before.wait).toBe(1);

      const ws = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { ...(await server.authHeader(reader)), minCursor: cursor },
        retryAttempts: 0,
      });
      try {
        const received = subscribeWs(ws, parse(REQUEST) as never, { id } as never) as Received<{ vmRequest: unknown }>;
        await received.ended();
        expect(received.values).toEqual([{ vmRequest: { id, version: 1 } }]);
      } finally {
        await ws.dispose();
      }

      const refused = await gql(reader, REQUEST, { id }, { 'DVMM-Min-Cursor': 'not-a-cursor' });
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(refused.body.data ?? null).toBeNull();
    } finally {
      await pair.replica.resumeReplay();
    }
  });

  it('answers a mutation over graphql-ws with extensions.cursor, and nothing meant for HTTP headers', async () => {
    const ws = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: await server.authHeader(alice), retryAttempts: 0 });
    try {
      const result = await new Promise<{ data?: any; extensions?: Record<string, unknown> }>((resolve, reject) => {
        let last: { data?: any; extensions?: Record<string, unknown> } = {};
        ws.subscribe(
          {
            query: CREATE,
            variables: { input: { projectId, vmName: `vm-${++counter}`, size: 'S', justification: 'Read replica routing test' } },
          },
          { next: (value) => void (last = value as typeof last), error: reject, complete: () => resolve(last) },
        );
      });
      const id = result.data.createVmRequest.vmRequest.id as string;
      expect(Object.keys(result.extensions ?? {})).toEqual(['cursor']);
      const cursor = result.extensions!['cursor'] as string;
      expect(decodeCursor(cursor)).not.toBeNull();
      // The cursor is this write's: a read that asks for it shows the request.
      expect((await gql(reader, REQUEST, { id }, { 'DVMM-Min-Cursor': cursor })).body.data?.['vmRequest']).toEqual({ id, version: 1 });
    } finally {
      await ws.dispose();
    }
  });

  it('delivers every change once and in order while replay is paused and after it resumes', async () => {
    const ws = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: await server.authHeader(admin), retryAttempts: 0 });
    try {
      const received = subscribeWs(ws, parse(CHANGES) as never, {} as never) as Received<{
        vmRequestChanges: { cursor: string; vmRequest: { id: string; version: number } };
      }>;
      // Subscribed once a change reaches it (graphql-ws gives no acknowledgement per subscription).
      const marker = await createRequest();
      await received.waitUntil((values) => values.some((value) => value.vmRequestChanges.vmRequest.id === marker.id));
      const from = decodeCursor(received.values.at(-1)!.vmRequestChanges.cursor)!;

      const before = counts();
      await pair.replica.pauseReplay();
      const paused = [await createRequest(), await createRequest(), await createRequest()];
      await received.waitUntil((values) => paused.every((made) => values.some((value) => value.vmRequestChanges.vmRequest.id === made.id)));
      const duringPause = counts();
      await pair.replica.resumeReplay();
      const resumed = [await createRequest(), await createRequest(), await createRequest()];
      await received.waitUntil((values) => resumed.every((made) => values.some((value) => value.vmRequestChanges.vmRequest.id === made.id)));

      // Exactly the versions the primary holds after the first one seen, in cursor order, each once.
      const expected = await primarySql<{ id: string; version: number }[]>`
        select id::text, version from vm_request_versions
        where tenant_id = ${TENANT} and (changed_tx, changed_position) > (${from.transactionId.toString()}::bigint, ${from.position.toString()}::bigint)
        order by changed_tx, changed_position`;
      const seen = received.values.slice(received.values.findIndex((value) => value.vmRequestChanges.vmRequest.id === marker.id) + 1);
      expect(seen.map((value) => value.vmRequestChanges.vmRequest.version)).toEqual(expected.map((row) => row.version));
      expect(new Set(seen.map((value) => value.vmRequestChanges.cursor)).size).toBe(seen.length);
      const cursors = seen.map((value) => decodeCursor(value.vmRequestChanges.cursor)!);
      for (let i = 1; i < cursors.length; i++) expect(compareCheckpoints(cursors[i - 1]!, cursors[i]!)).toBeLessThan(0);
      expect(seen.map((value) => value.vmRequestChanges.vmRequest.id)).toEqual(expect.arrayContaining([...paused, ...resumed].map((made) => made.id)));

      const after = counts();
      console.log(
        `[read replicas] live feed: ${seen.length} changes; while paused ${duringPause.wait - before.wait} reads fell back after the wait; ` +
          `after resuming ${after.replica - duringPause.replica} reads on the replica, ${after.wait - duringPause.wait} fallbacks`,
      );
      expect(duringPause.wait - before.wait).toBeGreaterThan(0);
    } finally {
      await pair.replica.resumeReplay();
      await ws.dispose();
    }
  });

  it('takes a stopped replica out of rotation (queries still answer, /ready stays ready) and back once it runs again', async () => {
    const { id } = await createRequest();
    await pair.waitForReplica();
    await pair.replica.stop();
    try {
      const answer = await gql(reader, REQUEST, { id });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      await expect.poll(() => server.readReplicas.status()[0]?.state, { timeout: 15_000 }).toBe('down');
      const ready = await fetch(`${server.origin}/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: Record<string, unknown> }).checks['replica-1']).toMatchObject({ ok: true, state: 'down' });
      const metrics = await (await fetch(`${server.origin}/metrics`)).text();
      expect(metrics).toMatch(/dvmm_read_replica_in_rotation\{replica="replica-1"\} 0/);
      const before = counts();
      expect((await gql(reader, REQUEST, { id })).body.data?.['vmRequest']).toEqual({ id, version: 1 });
      expect(counts().primary - before.primary).toBe(1);
    } finally {
      await pair.replica.start();
    }
    await expect.poll(() => server.readReplicas.status()[0]?.state, { timeout: 30_000 }).toBe('in-rotation');
    const metrics = await (await fetch(`${server.origin}/metrics`)).text();
    expect(metrics).toMatch(/dvmm_read_replica_in_rotation\{replica="replica-1"\} 1/);
    expect(metrics).toMatch(/dvmm_read_replica_lag_seconds\{replica="replica-1"\} \d/);
    const before = counts();
    expect((await gql(reader, REQUEST, { id })).body.data?.['vmRequest']).toEqual({ id, version: 1 });
    expect(counts().replica - before.replica).toBe(1);
  });
});
