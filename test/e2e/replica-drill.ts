/**
 * What the replica drills (replica-*.test.ts) share: a primary and a streaming replica of the test's own
 * (test/support/pg-replica.ts), the real server (src/main.ts) with DATABASE_URL on the primary and DATABASE_READ_URL
 * on the replica, HTTP clients that retry until acknowledged, graphql-ws subscribers that resume with `since`, and
 * the checks afterwards (no acknowledged command lost or doubled, every subscriber has every version once and in
 * order, the read models equal a rebuild on the primary and are the same on the replica).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from 'graphql-ws';
import postgres from 'postgres';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { commandIdFor } from '../../src/commands/ids.ts';
import type { Principal } from '../../src/domain/index.ts';
import { idOf } from '../../src/graphql/ids.ts';
import { mintToken } from '../../src/http/auth.ts';
import { PROJECTIONS } from '../../src/projections/index.ts';
import { tableName } from '../../src/projections/table-sql.ts';
import { checkpointsAtEnd, expectSameAsFreshRebuild } from '../integration/projections/fold.ts';
import { createReplicatedPair, findReplicationBinaries, type ReplicatedPair } from '../support/pg-replica.ts';
import { type Running, runScript } from '../support/run-process.ts';

export const replicaBinaries = findReplicationBinaries();
const required = process.env.CI === 'true';

/** describe.skipIf's condition; prints why where the binaries are missing (and CI does not require them). */
export function skipReplicaDrill(name: string): boolean {
  if (replicaBinaries || required) return false;
  console.warn(`[${name}] skipped: no Postgres binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql (apt-get install postgresql)`);
  return true;
}

export type Who = 'alice' | 'carol' | 'erin' | 'bob';
const principals: Record<Who, Principal> = {
  alice: { tenantId: 'acme', userId: 'alice', roles: ['user'] } as Principal,
  carol: { tenantId: 'acme', userId: 'carol', roles: ['admin'] } as Principal,
  erin: { tenantId: 'acme', userId: 'erin', roles: ['admin'] } as Principal,
  bob: { tenantId: 'acme', userId: 'bob', roles: ['admin'] } as Principal,
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export interface Answer {
  sentAt: number;
  answeredAt: number;
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
  code: string | null;
  retryAfter: string | null;
}

/** One Prometheus sample: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of every sample of `name` whose labels include `labels`. */
export function sumOf(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

export interface Subscriber {
  name: string;
  /** "requestId:version" -> times delivered. */
  deliveries: Map<string, number>;
  /** requestId -> versions in the order they arrived. */
  order: Map<string, number[]>;
  lastCursor: string | null;
  resubscribes: number;
  firstAt: number | null;
  stop(): void;
}

export interface Acknowledged {
  who: Who;
  commandType: string;
  key: string;
}

export interface Load {
  createdIds: string[];
  approvedIds: string[];
  /** Stops sending new mutations and waits for those in flight to be acknowledged. */
  stop(): Promise<void>;
}

export interface Sampling<T> {
  samples: T[];
  stop(): Promise<void>;
}

export interface ReadySample {
  at: number;
  status: number;
  body: any;
}

export interface Drill {
  pair: ReplicatedPair;
  url: string;
  origin: string;
  primarySql: postgres.Sql;
  replicaSql: postgres.Sql;
  server: Running;
  tokens: Record<Who, string>;
  projectId: string;
  acknowledged: Acknowledged[];
  post(who: Who, query: string, variables?: Record<string, unknown>): Promise<Answer>;
  /** Sends until acknowledged, with the same idempotency key each time (a retry writes at most once). */
  mutate(who: Who, commandType: string, query: string, variables: (key: string) => Record<string, unknown>, field: string): Promise<Record<string, any>>;
  createRequest(who: Who, vmName: string): Promise<{ id: string; version: number }>;
  metrics(): Promise<MetricSample[]>;
  ready(): Promise<ReadySample>;
  subscribe(name: string, since: string | null): Subscriber;
  /**
   * Clients creating requests every `intervalMs`, each on its own, and bob approving them (so not among the creators:
   * nobody approves their own request). A refused mutation fails `stop()`.
   */
  startLoad(options: { creators: Who[]; intervalMs: number }): Load;
  /** Each of `readers` sends a query every `intervalMs` (lists, single requests, projects, in turn); every answer kept. */
  startReaders(options: { readers: Who[]; intervalMs: number }): Sampling<Answer>;
  /** GET /ready every `intervalMs`. */
  sampleReady(intervalMs: number): Sampling<ReadySample>;
  close(): Promise<void>;
}

export async function openDrill(name: string, env: Record<string, string> = {}): Promise<Drill> {
  if (!replicaBinaries) throw new Error(`CI=true: ${name} needs the Postgres binaries initdb, pg_ctl and pg_basebackup (apt-get install postgresql)`);
  const pair = await createReplicatedPair(replicaBinaries);
  const cleanups: (() => Promise<void>)[] = [() => pair.destroy()];
  const clients = new Set<Client>();
  const stoppers: (() => void)[] = [];
  let server: Running | null = null;
  const close = async () => {
    for (const stop of stoppers) stop();
    for (const client of clients) await Promise.resolve(client.dispose()).catch(() => {});
    if (server) {
      const file = join(tmpdir(), `dvmm-${name.replaceAll(/\W+/g, '-')}-server.log`);
      writeFileSync(file, server.output());
      console.log(`[${name}] server output: ${file}`);
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.finished;
      }
    }
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const { primaryUrl, replicaUrl } = await pair.createMigratedDatabase('dvmm');
    const secret = randomBytes(32).toString('base64url');
    server = runScript('src/main.ts', [], {
      DATABASE_URL: primaryUrl,
      DATABASE_READ_URL: replicaUrl,
      JWT_SECRET: secret,
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      DVMM_DEMO_SEED: 'true',
      PROVISIONING_ENABLED: 'true',
      PROVISIONING_STAGE_MS: '50',
      PROVISIONING_BACKOFF_MS: '200',
      PROVISIONING_BACKOFF_MAX_MS: '1000',
      PROVISIONING_NETWORK_TIMEOUT_MS: '500',
      PROVISIONING_CONCURRENCY: '8',
      ...env,
    });
    const line = await server.waitFor(/listening on (http:\/\/\S+\/graphql)/);
    const url = /listening on (http:\/\/\S+\/graphql)/.exec(line)![1]!;
    const origin = new URL(url).origin;
    // Reconnect at once: these connections outlive restarts of either server.
    const sqlOptions = { max: 2, onnotice: () => {}, backoff: () => 0.2, connect_timeout: 10 };
    const primarySql = postgres(primaryUrl, sqlOptions);
    const replicaSql = postgres(replicaUrl, sqlOptions);
    cleanups.push(() => primarySql.end({ timeout: 1 }), () => replicaSql.end({ timeout: 1 }));
    const tokens = Object.fromEntries(
      await Promise.all(
        (Object.keys(principals) as Who[]).map(async (who) => [who, await mintToken({ sub: who, tenant: 'acme', roles: principals[who].roles }, { secret })] as const),
      ),
    ) as Record<Who, string>;

    const post = async (who: Who, query: string, variables: Record<string, unknown> = {}): Promise<Answer> => {
      const sentAt = Date.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(60_000),
        });
        const body = (await response.json()) as Answer['body'];
        const code = body?.errors?.[0]?.extensions?.['code'];
        return { sentAt, answeredAt: Date.now(), status: response.status, body, code: typeof code === 'string' ? code : null, retryAfter: response.headers.get('retry-after') };
      } catch (error) {
        return { sentAt, answeredAt: Date.now(), status: 0, body: null, code: String(error), retryAfter: null };
      }
    };

    const acknowledged: Acknowledged[] = [];
    let sequence = 0;
    const mutate: Drill['mutate'] = async (who, commandType, query, variables, field) => {
      const key = `${name}-${++sequence}`;
      for (;;) {
        const answer = await post(who, query, variables(key));
        const result = answer.body?.data?.[field];
        if (answer.status === 200 && result) {
          if (!String(result.__typename).endsWith('Payload')) throw new Error(`${commandType} refused: ${JSON.stringify(result)}`);
          acknowledged.push({ who, commandType, key });
          return result as Record<string, any>;
        }
        if (answer.status === 200 && answer.body?.errors && answer.code !== 'SERVICE_UNAVAILABLE') {
          throw new Error(`${commandType} failed: ${JSON.stringify(answer.body.errors)}`);
        }
        await sleep(answer.retryAfter ? Number(answer.retryAfter) * 1000 : 250);
      }
    };
    const createRequest = async (who: Who, vmName: string) => {
      const result = await mutate(who, 'CreateVmRequest', CREATE, (key) => createVariables(projectId, vmName, key), 'createVmRequest');
      return { id: result['vmRequest'].id as string, version: result['vmRequest'].version as number };
    };

    const projectId = await waitFor('the demo projects', async () => {
      const answer = await post('alice', 'query { projects(first: 5) { edges { node { id name } } } }');
      return answer.body?.data?.['projects']?.edges?.[0]?.node?.id as string | undefined;
    });

    const subscribe = (subscriberName: string, since: string | null): Subscriber => {
      let done = false;
      const subscriber: Subscriber = {
        name: subscriberName,
        deliveries: new Map(),
        order: new Map(),
        lastCursor: since,
        resubscribes: -1,
        firstAt: null,
        stop: () => void (done = true),
      };
      stoppers.push(subscriber.stop);
      const connect = () => {
        if (done) return;
        subscriber.resubscribes++;
        // No automatic retry: a closed socket ends the subscription here, and it comes back with `since`.
        const client = createClient({
          url: url.replace('http:', 'ws:'),
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${tokens.bob}` },
          retryAttempts: 0,
          lazy: true,
        });
        clients.add(client);
        const again = () => {
          clients.delete(client);
          void client.dispose();
          if (!done) setTimeout(connect, 500);
        };
        client.subscribe<{ vmRequestChanges: { cursor: string; vmRequest: { id: string; version: number } } }>(
          { query: SUBSCRIPTION, variables: { since: subscriber.lastCursor } },
          {
            next: ({ data }) => {
              if (!data || done) return;
              const { cursor, vmRequest } = data.vmRequestChanges;
              const id = idOf(vmRequest.id, 'VmRequest')!;
              const key = `${id}:${vmRequest.version}`;
              subscriber.deliveries.set(key, (subscriber.deliveries.get(key) ?? 0) + 1);
              subscriber.order.set(id, [...(subscriber.order.get(id) ?? []), vmRequest.version]);
              subscriber.lastCursor = cursor;
              subscriber.firstAt ??= Date.now();
            },
            error: again,
            complete: again,
          },
        );
      };
      connect();
      return subscriber;
    };

    const startLoad: Drill['startLoad'] = ({ creators, intervalMs }) => {
      const createdIds: string[] = [];
      const approvedIds: string[] = [];
      const toApprove: string[] = [];
      const inFlight = new Set<Promise<void>>();
      const errors: unknown[] = [];
      let running = true;
      const launch = (work: () => Promise<void>) => {
        const promise = work()
          .catch((error: unknown) => void errors.push(error))
          .finally(() => inFlight.delete(promise));
        inFlight.add(promise);
      };
      const approve = async (id: string) => {
        await mutate('bob', 'ApproveVmRequest', APPROVE, (key) => ({ input: { id, expectedVersion: 1, idempotencyKey: key } }), 'approveVmRequest');
        approvedIds.push(idOf(id, 'VmRequest')!);
      };
      const loops = creators.map(async (who, client) => {
        let tick = 0;
        while (running) {
          tick++;
          launch(async () => {
            const { id } = await createRequest(who, `${name}-${who}-${tick}`.replaceAll(/[^a-z0-9-]/g, '-').slice(0, 60));
            lastCreated = id;
            createdIds.push(idOf(id, 'VmRequest')!);
            toApprove.push(id);
          });
          if (client === 0 && toApprove.length > 0) launch(() => approve(toApprove.shift()!));
          await sleep(intervalMs);
        }
      });
      return {
        createdIds,
        approvedIds,
        async stop() {
          running = false;
          await Promise.all(loops);
          while (inFlight.size > 0) await Promise.all([...inFlight]);
          if (errors.length > 0) throw errors[0];
          // Everything created gets approved, so every request ends in provisioning's final states.
          while (toApprove.length > 0) await approve(toApprove.shift()!);
        },
      };
    };

    const readerQueries = [
      { query: 'query { vmRequests(first: 10) { edges { node { id version status } } } }' },
      { query: 'query { projects(first: 5) { edges { node { id name } } } }' },
      { query: REQUEST, variables: () => ({ id: lastCreated ?? '00000000-0000-0000-0000-000000000000' }) },
      { query: 'query { vmRequests(first: 5, filter: { status: [PENDING] }) { totalCount } }' },
    ];
    let lastCreated: string | null = null;
    const startReaders: Drill['startReaders'] = ({ readers, intervalMs }) => {
      const samples: Answer[] = [];
      let running = true;
      const loops = readers.map(async (who, i) => {
        for (let n = i; running; n++) {
          const { query, variables } = readerQueries[n % readerQueries.length]!;
          samples.push(await post(who, query, variables?.() ?? {}));
          await sleep(intervalMs);
        }
      });
      return {
        samples,
        async stop() {
          running = false;
          await Promise.all(loops);
        },
      };
    };
    const ready = async (): Promise<ReadySample> => {
      const at = Date.now();
      try {
        const response = await fetch(`${origin}/ready`, { signal: AbortSignal.timeout(10_000) });
        return { at, status: response.status, body: await response.json().catch(() => null) };
      } catch (error) {
        return { at, status: 0, body: String(error) };
      }
    };
    const sampleReady = (intervalMs: number): Sampling<ReadySample> => {
      const samples: ReadySample[] = [];
      let running = true;
      const loop = (async () => {
        while (running) {
          samples.push(await ready());
          await sleep(intervalMs);
        }
      })();
      return {
        samples,
        async stop() {
          running = false;
          await loop;
        },
      };
    };

    return {
      pair,
      url,
      origin,
      primarySql,
      replicaSql,
      server,
      tokens,
      projectId,
      acknowledged,
      post,
      mutate,
      createRequest,
      async metrics() {
        const response = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
        return parseMetrics(await response.text());
      },
      ready,
      subscribe,
      startLoad,
      startReaders,
      sampleReady,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Every version of every request in `createdIds` (read from the event store) reached each subscriber exactly once,
 * and each request's versions arrived in order. Waits for the stragglers first.
 */
export async function expectEveryVersionOnceInOrder(drill: Drill, subscribers: Subscriber[], createdIds: string[], label: string): Promise<void> {
  const versions = await drill.primarySql<{ stream_id: string; stream_version: number }[]>`
    select stream_id, stream_version from events where stream_id = any(${createdIds}::text[])`;
  const expected = versions.map((row) => `${row.stream_id}:${row.stream_version}`);
  await waitFor('every subscriber to have every version', async () => subscribers.every((s) => expected.every((key) => s.deliveries.has(key))), 120_000).catch(
    () => undefined,
  );
  await sleep(500); // anything doubled still on its way
  const outcome = subscribers.map((subscriber) => ({
    subscriber: subscriber.name,
    missing: expected.filter((key) => !subscriber.deliveries.has(key)),
    doubled: [...subscriber.deliveries].filter(([, n]) => n > 1).map(([key]) => key),
    outOfOrder: [...subscriber.order].filter(([id, seen]) => createdIds.includes(id) && seen.some((v, i) => i > 0 && v <= seen[i - 1]!)).map(([id]) => id),
  }));
  console.log(
    `[${label}] versions per subscriber: ${expected.length} expected; received: ` +
      outcome.map((o) => `${o.subscriber}:${expected.length - o.missing.length}`).join(' ') +
      `; resubscribed: ${subscribers.map((s) => `${s.name}:${s.resubscribes}`).join(' ')}`,
  );
  expect(expected.length).toBeGreaterThan(0);
  for (const result of outcome) expect(result).toEqual({ subscriber: result.subscriber, missing: [], doubled: [], outOfOrder: [] });
}

/** Exactly one event per acknowledged command, and no event of a drill request without an acknowledged command. */
export async function expectNothingLostOrDoubled(drill: Drill, createdIds: string[]): Promise<void> {
  const commandIds = drill.acknowledged.map((a) => commandIdFor(principals[a.who], a.commandType, a.key));
  const perCommand = await drill.primarySql<{ command_id: string; n: number }[]>`
    select metadata->>'commandId' as command_id, count(*)::int as n from events
    where metadata->>'commandId' = any(${commandIds}::text[]) group by 1`;
  const counts = new Map(perCommand.map((row) => [row.command_id, row.n]));
  expect(commandIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
  const [strays] = await drill.primarySql<{ n: number }[]>`
    select count(*)::int as n from events
    where stream_id = any(${createdIds}::text[]) and metadata->>'userId' <> 'system:provisioning'
      and not (metadata->>'commandId' = any(${commandIds}::text[]))`;
  expect(strays!.n).toBe(0);
}

/** Every approved request reached READY or FAILED: provisioning went on through whatever the drill did. */
export async function waitForProvisioningToFinish(drill: Drill, approvedIds: string[]): Promise<void> {
  await waitFor(
    'every approved request to be READY or FAILED',
    async () => {
      const rows = await drill.primarySql<{ last: string }[]>`
        select (array_agg(event_type order by stream_version desc))[1] as last
        from events where stream_id = any(${approvedIds}::text[]) group by stream_id`;
      return rows.length === approvedIds.length && rows.every((row) => row.last === 'VmRequestReady' || row.last === 'VmRequestProvisioningFailed');
    },
    120_000,
  );
}

/**
 * The read models on the primary equal a fresh rebuild from the events, and the replica, once caught up, holds the
 * same rows in every read model table.
 */
export async function expectReadModelsConsistent(drill: Drill): Promise<void> {
  await waitFor('the projector to catch up', async () => checkpointsAtEnd(drill.primarySql, PROJECTIONS.map((p) => p.name)), 60_000);
  for (const projection of PROJECTIONS) await expectSameAsFreshRebuild(drill.primarySql, projection);
  await drill.pair.waitForReplica(60_000);
  for (const projection of PROJECTIONS) {
    for (const table of projection.tables) {
      const name = tableName(table);
      const digest = async (sql: postgres.Sql) => {
        const [row] = await sql<{ n: number; digest: string | null }[]>`
          select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest from ${sql(name)} t`;
        return row;
      };
      expect({ table: name, ...(await digest(drill.replicaSql)) }).toEqual({ table: name, ...(await digest(drill.primarySql)) });
    }
  }
}

/** Reads handed to each server, by target ('primary', 'replica-1'). */
export const REPLICA_READS = { name: 'dvmm_read_replica_reads_total', replica: { target: 'replica-1' }, primary: { target: 'primary' } };
/** Reads that asked for a replica and went to the primary, by reason. */
export const FALLBACKS = { name: 'dvmm_read_replica_fallbacks_total' };

/** Whether /ready's answer shows replica-1 in rotation (null: it does not say). */
export function replicaInRotation(body: any): boolean | null {
  const found = JSON.stringify(body ?? null).match(/"replica-1"/);
  if (!found) return null;
  const check = body?.checks?.['replica-1'] ?? body?.replicas?.find?.((r: any) => r.name === 'replica-1');
  if (!check) return null;
  if (typeof check.state === 'string') return check.state === 'in-rotation';
  return check.ok === true;
}

export const SUBSCRIPTION = 'subscription ($since: String) { vmRequestChanges(since: $since) { cursor vmRequest { id version status } } }';

export const CREATE = `mutation ($input: CreateVmRequestInput!) {
  createVmRequest(input: $input) { __typename ... on CreateVmRequestPayload { vmRequest { id version } } ... on Error { code message } }
}`;
export const APPROVE = `mutation ($input: ApproveVmRequestInput!) {
  approveVmRequest(input: $input) { __typename ... on ApproveVmRequestPayload { vmRequest { id version } } ... on Error { code message } }
}`;
export const REQUEST = 'query ($id: ID!) { vmRequest(id: $id) { id version status } }';

function createVariables(projectId: string, vmName: string, key: string) {
  return { input: { projectId, vmName, size: 'S', justification: 'Load for the replica drills', idempotencyKey: key } };
}
