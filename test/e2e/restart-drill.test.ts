import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient } from 'graphql-ws';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { commandIdFor } from '../../src/commands/ids.ts';
import type { Principal } from '../../src/domain/index.ts';
import { idOf } from '../../src/graphql/ids.ts';
import { mintToken } from '../../src/http/auth.ts';
import { PROJECTIONS } from '../../src/projections/index.ts';
import { checkpointsAtEnd, expectSameAsFreshRebuild } from '../integration/projections/fold.ts';
import { createPgCluster, findPgBinaries, type PgCluster } from '../support/pg-cluster.ts';

// The restart drill: the real server (src/main.ts) on a Postgres cluster of the test's own, under load (graphql-ws
// subscribers, ~20 mutations/s creating and approving requests, fast provisioning), while Postgres is stopped for
// 10 s (`pg_ctl stop -m fast`) and started again, three times. Then: the process is up, every query answers, every
// subscriber has every change, the read models equal a rebuild, each acknowledged command has exactly one event,
// and every approved request is READY or FAILED. Figures (503 latency, recovery) are printed, not asserted.

const bin = findPgBinaries();
const required = process.env.CI === 'true';
if (!bin && !required) {
  console.warn('[restart drill] skipped: no Postgres binaries (initdb, pg_ctl) under /usr/lib/postgresql (apt-get install postgresql)');
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const secret = randomBytes(32).toString('base64url');
const RESTARTS = Number(process.env.DVMM_DRILL_RESTARTS ?? 3);
const LOAD_BEFORE_STOP_MS = 4_000;
const OUTAGE_MS = 10_000;
const RECOVERY_LOAD_MS = 6_000;
const MUTATION_INTERVAL_MS = 50; // ~20 mutations/s
const OLD_SUBSCRIBERS = 4;
const NEW_SUBSCRIBERS = 2;

const principal = (userId: string, roles: Principal['roles']) =>
  ({ tenantId: 'acme', userId, roles, email: `${userId}@acme.test`, name: userId }) as Principal;
const alice = principal('alice', ['user']);
const bob = principal('bob', ['admin']);

interface Server {
  process: ChildProcess;
  url: string;
  output: string[];
}

interface Outage {
  stoppingAt: number;
  stoppedAt: number;
  startingAt: number;
  startedAt: number;
  /** First mutation acknowledged after the start. */
  firstAckAt: number | null;
  readyAgainAt: number | null;
  notReadySeen: boolean;
}

interface Sample {
  sentAt: number;
  answeredAt: number;
  status: number;
  retryAfter: string | null;
  code: string | null;
  retryable: boolean | null;
}

let cluster: PgCluster | null = null;
let server: Server | null = null;
let check: postgres.Sql | null = null;
const clients = new Set<Client>();

afterAll(async () => {
  if (server) {
    const file = join(tmpdir(), 'dvmm-restart-drill-server.log');
    writeFileSync(file, `${server.output.join('\n')}\n`);
    console.log(`[restart drill] server output: ${file}`);
  }
  for (const client of clients) await client.dispose();
  if (server && server.process.exitCode === null) {
    server.process.kill('SIGTERM');
    await new Promise((resolve) => server!.process.once('exit', resolve));
  }
  await check?.end({ timeout: 1 });
  await cluster?.destroy();
});

function startServer(databaseUrl: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n')) {
        if (line) output.push(line);
        const match = /listening on (http:\/\/\S+\/graphql)/.exec(line);
        if (match) resolve({ process: child, url: match[1]!, output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output.join('\n')}`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

describe.skipIf(!bin && !required)('restart drill: Postgres stopped for 10 s under load, three times', () => {
  it('keeps the process up, answers 503 quickly meanwhile, then loses and doubles nothing and catches every subscriber up', async () => {
    if (!bin) throw new Error('CI=true: the restart drill needs the Postgres binaries initdb and pg_ctl (apt-get install postgresql)');
    cluster = await createPgCluster(bin);
    const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    await admin.unsafe('create database dvmm');
    await admin.end();
    const databaseUrl = cluster.url('dvmm');
    server = await startServer(databaseUrl);
    const { url } = server;
    const readyUrl = url.replace('/graphql', '/ready');
    check = postgres(databaseUrl, { max: 2, onnotice: () => {}, backoff: () => 0.2, connect_timeout: 5 });
    const tokens = {
      alice: await mintToken({ sub: 'alice', tenant: 'acme', roles: ['user'] }, { secret }),
      bob: await mintToken({ sub: 'bob', tenant: 'acme', roles: ['admin'] }, { secret }),
    };

    // --- HTTP ------------------------------------------------------------------------------------------------
    const samples: Sample[] = [];
    const post = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
      const sentAt = Date.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(60_000),
        });
        const body = (await response.json()) as { data?: Record<string, any> | null; errors?: { extensions?: Record<string, unknown> }[] };
        const extensions = body.errors?.[0]?.extensions;
        const sample: Sample = {
          sentAt,
          answeredAt: Date.now(),
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          code: typeof extensions?.['code'] === 'string' ? extensions['code'] : null,
          retryable: typeof extensions?.['retryable'] === 'boolean' ? extensions['retryable'] : null,
        };
        samples.push(sample);
        return { sample, body };
      } catch (error) {
        const sample: Sample = { sentAt, answeredAt: Date.now(), status: 0, retryAfter: null, code: String(error), retryable: null };
        samples.push(sample);
        return { sample, body: null };
      }
    };

    // The demo tenant's projects, once the read model shows them.
    const projectId = await waitFor('the demo projects', async () => {
      const { body } = await post(tokens.alice, 'query { projects(first: 5) { edges { node { id name } } } }');
      return body?.data?.['projects']?.edges?.[0]?.node?.id as string | undefined;
    });

    // --- subscribers ---------------------------------------------------------------------------------------------
    interface Subscriber {
      name: string;
      deliveries: Map<string, number>; // "requestId:version" -> times delivered
      lastCursor: string | null;
      resubscribes: number;
      done: boolean;
      /** When its first change arrived. */
      firstAt: number | null;
    }
    const SUBSCRIPTION = 'subscription ($since: String) { vmRequestChanges(since: $since) { cursor vmRequest { id version status } } }';
    const subscribers: Subscriber[] = [];
    const subscribe = (name: string, since: string | null): Subscriber => {
      const subscriber: Subscriber = { name, deliveries: new Map(), lastCursor: since, resubscribes: -1, done: false, firstAt: null };
      const connect = () => {
        if (subscriber.done) return;
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
          if (!subscriber.done) setTimeout(connect, 500);
        };
        client.subscribe<{ vmRequestChanges: { cursor: string; vmRequest: { id: string; version: number } } }>(
          { query: SUBSCRIPTION, variables: { since: subscriber.lastCursor } },
          {
            next: ({ data }) => {
              if (!data) return;
              const { cursor, vmRequest } = data.vmRequestChanges;
              const key = `${idOf(vmRequest.id, 'VmRequest')}:${vmRequest.version}`;
              subscriber.deliveries.set(key, (subscriber.deliveries.get(key) ?? 0) + 1);
              subscriber.lastCursor = cursor;
              subscriber.firstAt ??= Date.now();
            },
            error: again,
            complete: again,
          },
        );
      };
      connect();
      subscribers.push(subscriber);
      return subscriber;
    };

    // A marker request whose change gives every subscriber the cursor the drill starts after.
    for (let i = 0; i < OLD_SUBSCRIBERS; i++) subscribe(`old-${i}`, null);
    await sleep(1_000);
    const marker = await post(tokens.alice, CREATE, createVariables(projectId, 'drill-marker', 'drill-marker'));
    expect(marker.body?.data?.['createVmRequest']?.__typename, JSON.stringify(marker.body)).toBe('CreateVmRequestPayload');
    const startCursor = await waitFor('the marker change at every subscriber', async () =>
      subscribers.every((s) => s.lastCursor !== null) ? subscribers[0]!.lastCursor : null,
    );
    for (const subscriber of subscribers) subscriber.deliveries.clear();

    // --- load ----------------------------------------------------------------------------------------------------
    const acknowledged: { userId: string; commandType: string; key: string }[] = [];
    const createdIds: string[] = [];
    /** When each request's creation was first sent. */
    const createSentAt = new Map<string, number>();
    const approvedIds: string[] = [];
    const toApprove: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let loadRunning = true;
    let sequence = 0;
    const outages: Outage[] = [];

    /** Sends until acknowledged, with the same idempotency key each time (a retry writes at most once). */
    const mutate = async (
      who: 'alice' | 'bob',
      commandType: string,
      query: string,
      variables: (key: string) => Record<string, unknown>,
      field: string,
    ): Promise<Record<string, any> | null> => {
      const key = `drill-${++sequence}`;
      for (;;) {
        const { sample, body } = await post(tokens[who], query, variables(key));
        const result = body?.data?.[field];
        if (sample.status === 200 && result) {
          if (!String(result.__typename).endsWith('Payload')) throw new Error(`${commandType} refused: ${JSON.stringify(result)}`);
          acknowledged.push({ userId: who, commandType, key });
          const outage = outages.at(-1);
          if (outage && outage.startedAt > 0 && outage.firstAckAt === null && sample.sentAt >= outage.startedAt) outage.firstAckAt = sample.answeredAt;
          return result;
        }
        if (sample.status === 200 && body?.errors && sample.code !== 'SERVICE_UNAVAILABLE') {
          throw new Error(`${commandType} failed: ${JSON.stringify(body.errors)}`);
        }
        await sleep(sample.retryAfter ? Number(sample.retryAfter) * 1000 : 250);
      }
    };

    const launch = (work: () => Promise<void>) => {
      const promise = work().finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    };
    const loadLoop = (async () => {
      let tick = 0;
      while (loadRunning) {
        tick++;
        if (tick % 2 === 0 && toApprove.length > 0) {
          const id = toApprove.shift()!;
          launch(async () => {
            await mutate('bob', 'ApproveVmRequest', APPROVE, (key) => ({ input: { id, expectedVersion: 1, idempotencyKey: key } }), 'approveVmRequest');
            approvedIds.push(idOf(id, 'VmRequest')!);
          });
        } else {
          launch(async () => {
            const sentAt = Date.now();
            const result = await mutate('alice', 'CreateVmRequest', CREATE, (key) => createVariables(projectId, `drill-${tick}`, key), 'createVmRequest');
            const id = result!['vmRequest'].id as string;
            createdIds.push(idOf(id, 'VmRequest')!);
            createSentAt.set(idOf(id, 'VmRequest')!, sentAt);
            toApprove.push(id);
          });
        }
        await sleep(MUTATION_INTERVAL_MS);
      }
    })();

    // /ready, sampled throughout: it must say not ready during each outage.
    let readyPolling = true;
    const readyLoop = (async () => {
      while (readyPolling) {
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
        const outage = outages.at(-1);
        if (outage && response) {
          const now = Date.now();
          if (response.status === 503 && now < outage.startingAt + 1 && outage.stoppedAt > 0) outage.notReadySeen = true;
          if (response.status === 200 && outage.startedAt > 0 && outage.readyAgainAt === null) outage.readyAgainAt = now;
        }
        await sleep(250);
      }
    })();

    // --- the restarts ----------------------------------------------------------------------------------------------
    for (let round = 0; round < RESTARTS; round++) {
      await sleep(LOAD_BEFORE_STOP_MS);
      const outage: Outage = {
        stoppingAt: Date.now(),
        stoppedAt: 0,
        startingAt: Number.POSITIVE_INFINITY,
        startedAt: 0,
        firstAckAt: null,
        readyAgainAt: null,
        notReadySeen: false,
      };
      outages.push(outage);
      await cluster.stop();
      outage.stoppedAt = Date.now();
      await sleep(OUTAGE_MS);
      outage.startingAt = Date.now();
      await cluster.start();
      outage.startedAt = Date.now();
      await sleep(RECOVERY_LOAD_MS);
    }

    // New subscribers, after the last restart, from the drill's first cursor: they replay every version after it,
    // then go live; the load goes on for a while after they are in.
    const newcomers = [...Array(NEW_SUBSCRIBERS).keys()].map((i) => subscribe(`new-${i}`, startCursor));
    await waitFor('the new subscribers to replay', async () => newcomers.every((s) => s.firstAt !== null));
    await sleep(3_000);
    loadRunning = false;
    await loadLoop;
    await waitFor('every mutation to be acknowledged', async () => inFlight.size === 0, 120_000);
    // Anything created but not approved yet gets approved, so every request ends somewhere.
    while (toApprove.length > 0) {
      const id = toApprove.shift()!;
      await mutate('bob', 'ApproveVmRequest', APPROVE, (key) => ({ input: { id, expectedVersion: 1, idempotencyKey: key } }), 'approveVmRequest');
      approvedIds.push(idOf(id, 'VmRequest')!);
    }

    // --- afterwards --------------------------------------------------------------------------------------------------
    const sql = check;
    const lastEvents = async () =>
      sql<{ last: string; n: number }[]>`
        select last, count(*)::int as n from (
          select (array_agg(event_type order by stream_version desc))[1] as last
          from events where stream_id = any(${approvedIds}::text[]) group by stream_id) s
        group by last`;
    // Every approved request reaches READY or FAILED (the provisioning process recovered on its own).
    const terminal = await waitFor(
      'every approved request to be READY or FAILED',
      async () => {
        const rows = await sql<{ stream_id: string; last: string }[]>`
          select stream_id, (array_agg(event_type order by stream_version desc))[1] as last
          from events where stream_id = any(${approvedIds}::text[]) group by stream_id`;
        const open = rows.filter((row) => row.last !== 'VmRequestReady' && row.last !== 'VmRequestProvisioningFailed');
        return rows.length === approvedIds.length && open.length === 0 ? rows : null;
      },
      120_000,
    ).catch(async (error: unknown) => {
      console.log(`[restart drill] approved requests by last event: ${JSON.stringify(await lastEvents())}`);
      console.log(`[restart drill] jobs: ${JSON.stringify(await sql`select status, count(*)::int as n, min(next_attempt_at)::text as next from provisioning_jobs group by status`)}`);
      console.log(`[restart drill] checkpoints: ${JSON.stringify(await sql`select * from projection_checkpoints`)}`);
      throw error;
    });
    expect(terminal).toHaveLength(approvedIds.length);

    // Every version of every drill request, from the event store. The old subscribers were there for all of them,
    // the new ones replayed them from the marker's cursor: each must have every one.
    const versions = await sql<{ stream_id: string; stream_version: number }[]>`
      select stream_id, stream_version from events where stream_id = any(${createdIds}::text[])`;
    const latest = new Map<string, number>();
    for (const row of versions) latest.set(row.stream_id, Math.max(latest.get(row.stream_id) ?? 0, row.stream_version));
    const expected = versions.map((row) => `${row.stream_id}:${row.stream_version}`);
    await waitFor(
      'every subscriber to have every version',
      async () => subscribers.every((s) => expected.every((key) => s.deliveries.has(key))),
      120_000,
    ).catch(() => undefined);
    await sleep(1_000); // anything still on its way
    readyPolling = false;
    await readyLoop;

    // Figures.
    const outageSamples = outages.map((outage) =>
      samples.filter((s) => s.sentAt >= outage.stoppedAt + 500 && s.sentAt <= outage.startingAt - 3_000),
    );
    for (const [i, outage] of outages.entries()) {
      const latencies = outageSamples[i]!.map((s) => s.answeredAt - s.sentAt);
      console.log(
        `[restart drill] outage ${i + 1}: ${latencies.length} requests during the outage, answered in ` +
          `p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms; ` +
          `pg_ctl stop took ${outage.stoppedAt - outage.stoppingAt} ms, start ${outage.startedAt - outage.startingAt} ms; ` +
          `first mutation acknowledged ${outage.firstAckAt === null ? 'never' : `${outage.firstAckAt - outage.startedAt} ms`} ` +
          `and /ready 200 ${outage.readyAgainAt === null ? 'never' : `${outage.readyAgainAt - outage.startedAt} ms`} after Postgres was up`,
      );
    }
    console.log(
      `[restart drill] ${acknowledged.length} mutations acknowledged (${createdIds.length} requests created, ${approvedIds.length} approved), ` +
        `${samples.length} HTTP requests in all; subscribers resubscribed ${subscribers.map((s) => `${s.name}:${s.resubscribes}`).join(' ')}`,
    );

    // The process stayed up, and never hit the driver's uncatchable crash.
    expect(server.process.exitCode).toBeNull();
    expect(server.output.join('\n')).not.toMatch(/TypeError|uncaught/i);

    // During each outage, requests were answered while Postgres was still down: 503, Retry-After, retryable code.
    for (const [i, during] of outageSamples.entries()) {
      expect(during.length, `requests sent during outage ${i + 1}`).toBeGreaterThan(10);
      for (const sample of during) {
        expect(sample.answeredAt, 'answered before Postgres came back').toBeLessThan(outages[i]!.startingAt);
        expect({ status: sample.status, code: sample.code, retryable: sample.retryable, retryAfter: sample.retryAfter !== null }).toEqual({
          status: 503,
          code: 'SERVICE_UNAVAILABLE',
          retryable: true,
          retryAfter: true,
        });
      }
      expect(outages[i]!.notReadySeen, `/ready said not ready during outage ${i + 1}`).toBe(true);
    }

    // Every query answers afterwards.
    for (let i = 0; i < 40; i++) {
      const { sample, body } = await post(tokens.bob, 'query { vmRequests(first: 20) { edges { node { id status } } } }');
      expect({ status: sample.status, errors: body?.errors ?? null }).toEqual({ status: 200, errors: null });
    }
    const ready = await fetch(readyUrl);
    expect(ready.status, JSON.stringify(await ready.clone().json())).toBe(200);

    // No acknowledged command lost or doubled: exactly one event carries each one's command id.
    const commandIds = acknowledged.map((a) => commandIdFor(a.userId === 'bob' ? bob : alice, a.commandType, a.key));
    const perCommand = await sql<{ command_id: string; n: number }[]>`
      select metadata->>'commandId' as command_id, count(*)::int as n from events
      where metadata->>'commandId' = any(${commandIds}::text[]) group by 1`;
    const counts = new Map(perCommand.map((row) => [row.command_id, row.n]));
    expect(commandIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
    // ... and no drill event without an acknowledged command behind it (provisioning's own events aside).
    const [strays] = await sql<{ n: number }[]>`
      select count(*)::int as n from events
      where stream_id = any(${createdIds}::text[]) and metadata->>'userId' <> 'system:provisioning'
        and not (metadata->>'commandId' = any(${commandIds}::text[]))`;
    expect(strays!.n).toBe(0);

    // Every subscriber, old and new, got every change of every drill request, each once.
    const liveAfterJoin = newcomers.map((s) => createdIds.filter((id) => createSentAt.get(id)! > s.firstAt!).length);
    expect(Math.min(...liveAfterJoin), 'requests created after the new subscribers were in').toBeGreaterThan(10);
    // A subscriber that falls behind (the burst after an outage) reads on from the versions: none is skipped.
    const outcome = subscribers.map((subscriber) => ({
      subscriber: subscriber.name,
      missing: expected.filter((key) => !subscriber.deliveries.has(key)),
      doubled: [...subscriber.deliveries].filter(([, n]) => n > 1).map(([key]) => key),
    }));
    console.log(
      `[restart drill] versions per subscriber: ${expected.length} expected; received: ` +
        outcome.map((o) => `${o.subscriber}:${expected.length - o.missing.length}`).join(' '),
    );
    for (const { subscriber, missing, doubled } of outcome) {
      expect({ subscriber, missing, doubled }).toEqual({ subscriber, missing: [], doubled: [] });
    }

    // The read models equal a rebuild from the events.
    await waitFor('the projector to catch up', async () => checkpointsAtEnd(sql, PROJECTIONS.map((p) => p.name)), 60_000);
    for (const projection of PROJECTIONS) await expectSameAsFreshRebuild(sql, projection);
  }, 900_000);
});

const CREATE = `mutation ($input: CreateVmRequestInput!) {
  createVmRequest(input: $input) { __typename ... on CreateVmRequestPayload { vmRequest { id version } } ... on Error { code message } }
}`;
const APPROVE = `mutation ($input: ApproveVmRequestInput!) {
  approveVmRequest(input: $input) { __typename ... on ApproveVmRequestPayload { vmRequest { id version } } ... on Error { code message } }
}`;

function createVariables(projectId: string, vmName: string, key: string) {
  return { input: { projectId, vmName, size: 'S', justification: 'Load for the restart drill', idempotencyKey: key } };
}
