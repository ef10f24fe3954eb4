import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { commandIdFor } from '../../src/commands/ids.ts';
import { idOf } from '../../src/graphql/ids.ts';
import { mintToken } from '../../src/http/auth.ts';
import { PROJECTIONS } from '../../src/projections/index.ts';
import { readLeaders } from '../../src/projections/leadership.ts';
import { hypervisorVmName, readSimulatorFile } from '../../src/provisioning/index.ts';
import { PROVISIONING_JOBS_PROJECTION } from '../../src/provisioning/jobs-projection.ts';
import { readProvisioningJobsStatus } from '../../src/provisioning/jobs-status.ts';
import { checkpointsAtEnd, expectSameAsFreshRebuild } from '../integration/projections/fold.ts';
import { PROVISIONED_SEQUENCE } from '../integration/provisioning/support/harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { activeSubscriptions, type Instance, instanceOf, killInstance, startInstance, stopInstance } from '../support/instances.ts';
import { alice, bob, tokenClaims } from '../support/personas.ts';

// Failover drills (issue 17): three real server processes (src/main.ts) on one database, one simulated hypervisor
// shared through its state file, HTTP clients creating and approving requests against all three in turn, and
// graphql-ws subscribers of vmRequestChanges on each. Then, under that load:
//   1. SIGKILL the instance leading the projector: another takes the lead; the read models end equal to a rebuild.
//   2. SIGKILL the instance driving a provisioning job, mid-stage: another resumes the job; the request has one VM.
//   3. The killed instances' subscribers come back on another instance with `since` = the last cursor they saw and,
//      like every other subscriber, end with every version of every request once and in order.
// Finally the killed instances start again and join as standbys. Takeover, resume and reconnect times are printed,
// not asserted.

const secret = randomBytes(32).toString('base64url');
/** Each simulated hypervisor stage: long enough that a kill lands inside one, short enough to finish the backlog. */
const STAGE_MS = 2_000;
const CLIENTS = 3;
/** Each client's pause between two requests: a load the provisioning backlog keeps up with on a shared 2-core box. */
const LOAD_PAUSE_MS = 600;
/** Requests acknowledged before and after each kill, so every kill lands under load. */
const CREATES_PER_PHASE = 6;
const SUBSCRIBERS_PER_INSTANCE = 2;
const WAIT = { timeout: 120_000, interval: 100 };
/** A tight poll for the figures (takeover, resume): its interval bounds their precision. */
const MEASURE = { timeout: 60_000, interval: 20 };
const LEADER_NAMES = [...PROJECTIONS.map((projection) => projection.name), PROVISIONING_JOBS_PROJECTION];

let database: TestDatabase;
let dir: string;
let stateFile: string;
/** Every instance started (for cleanup and the log); `alive` those not killed. */
const started: Instance[] = [];
let alive: Instance[] = [];
const killed: Instance[] = [];
const clients = new Set<Client>();
const tokens = { alice: '', bob: '' };
const principals = { alice, bob };
let projectId: string;

const env = (): Record<string, string> => ({
  DATABASE_URL: database.url,
  JWT_SECRET: secret,
  NODE_ENV: 'development',
  DVMM_DEMO_SEED: 'true',
  // Three instances and the test share the test server with others: instances × (pool + 12) connections.
  DATABASE_POOL_MAX: '4',
  PROVISIONING_ENABLED: 'true',
  PROVISIONING_STAGE_MS: String(STAGE_MS),
  PROVISIONING_SIMULATOR_STATE_FILE: stateFile,
  // Stages only wait, so slots are cheap: enough that a survivor has one free for the job it must resume.
  PROVISIONING_CONCURRENCY: '32',
  PROVISIONING_BACKOFF_MS: '200',
  PROVISIONING_BACKOFF_MAX_MS: '1000',
  PROVISIONING_NETWORK_TIMEOUT_MS: '30000',
  PROVISIONING_RECONCILE_INTERVAL_MS: '0',
});

async function start(name: string): Promise<Instance> {
  const instance = await startInstance(name, env());
  started.push(instance);
  return instance;
}

let turn = 0;
/** The next instance still running, round-robin. */
const nextAlive = (): Instance => alive[turn++ % alive.length]!;

/** Requests sent to an instance just before it is killed, so that some are cut off mid-way and sent again elsewhere. */
const IN_FLIGHT_AT_KILL = 6;
/** Those requests: they finish on another instance while the drills go on. */
const cutOff: Promise<string>[] = [];
const killedAt = new Map<string, number>();

/**
 * Kills `instance` as a crash would, with a few creations in flight on it. The clients stop choosing it first, so
 * those are the only requests that hit the dead instance.
 */
async function crash(instance: Instance): Promise<number> {
  for (let i = 0; i < IN_FLIGHT_AT_KILL; i++) cutOff.push(createAndApprove(`cut-${instance.name}-${i}`, instance));
  alive = alive.filter((other) => other !== instance);
  killed.push(instance);
  // Killed once it has answered the first of them: the others, sent at the same moment, are then cut off before,
  // during or after their commit (the figures say which).
  const answered = () => acknowledged.some((a) => a.by === instance.name && a.key.startsWith(`cut-${instance.name}-`));
  await vi.waitFor(() => expect(answered()).toBe(true), { timeout: 10_000, interval: 5 }).catch(() => {});
  const at = Date.now();
  killedAt.set(instance.name, at);
  await killInstance(instance);
  return at;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- HTTP clients ------------------------------------------------------------------------------------------------

interface Acknowledged {
  who: 'alice' | 'bob';
  /** The instance that answered. */
  by: string;
  commandType: string;
  key: string;
}
const acknowledged: Acknowledged[] = [];
/** Transport failures and 503s retried on the next instance, per instance name. */
const retried = new Map<string, number>();

/**
 * Sends a mutation to the next running instance until one acknowledges it, with the same idempotency key each
 * time: a request cut off by a kill may have committed there, and its retry elsewhere must not write it again.
 */
async function mutate(
  who: 'alice' | 'bob',
  commandType: string,
  query: string,
  field: string,
  input: Record<string, unknown>,
  key: string,
  first?: Instance,
) {
  for (let attempt = 0; ; attempt++) {
    const instance = attempt === 0 && first ? first : nextAlive();
    const body = await fetch(instance.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
      body: JSON.stringify({ query, variables: { input: { ...input, idempotencyKey: key } } }),
      signal: AbortSignal.timeout(60_000),
    })
      .then((response) => response.json() as Promise<{ data?: Record<string, Record<string, any>> | null; errors?: unknown[] }>)
      .catch(() => null);
    const result = body?.data?.[field];
    if (result) {
      if (!String(result['__typename']).endsWith('Payload')) throw new Error(`${commandType} refused: ${JSON.stringify(result)}`);
      acknowledged.push({ who, by: instance.name, commandType, key });
      return result;
    }
    retried.set(instance.name, (retried.get(instance.name) ?? 0) + 1);
    await sleep(100);
  }
}

const CREATE = `mutation ($input: CreateVmRequestInput!) {
  createVmRequest(input: $input) { __typename ... on CreateVmRequestPayload { vmRequest { id version } } ... on Error { message } }
}`;
const APPROVE = `mutation ($input: ApproveVmRequestInput!) {
  approveVmRequest(input: $input) { __typename ... on Error { message } }
}`;

/** Creates a request (alice, sent to `first` if given) and approves it (bob); the raw request id. */
async function createAndApprove(vmName: string, first?: Instance): Promise<string> {
  const created = await mutate('alice', 'CreateVmRequest', CREATE, 'createVmRequest', {
    projectId,
    vmName,
    size: 'S',
    justification: 'Load for the failover drill',
  }, `${vmName}-create`, first);
  const { id, version } = created['vmRequest'] as { id: string; version: number };
  await mutate('bob', 'ApproveVmRequest', APPROVE, 'approveVmRequest', { id, expectedVersion: version }, `${vmName}-approve`);
  return idOf(id, 'VmRequest')!;
}

const load = { running: false, approved: [] as string[], done: Promise.resolve() };
/** Requests the drills made besides the load's. */
const drillRequests: string[] = [];

function startLoad(): void {
  load.running = true;
  load.done = Promise.all(
    [...Array(CLIENTS).keys()].map(async (client) => {
      for (let n = 1; load.running; n++) {
        load.approved.push(await createAndApprove(`drill-${client}-${n}`));
        await sleep(LOAD_PAUSE_MS);
      }
    }),
  ).then(() => {});
}

/** Lets the load run until `count` more requests are approved. */
async function loadFor(count: number): Promise<void> {
  const target = load.approved.length + count;
  await vi.waitFor(() => expect(load.approved.length).toBeGreaterThanOrEqual(target), WAIT);
}

// --- subscribers -------------------------------------------------------------------------------------------------

interface Move {
  from: string;
  to: string;
  closedAt: number;
  /** When the new connection was acknowledged. */
  connectedAt: number | null;
  /** When the first version arrived after it. */
  firstAt: number | null;
}

interface Subscriber {
  name: string;
  /** The instance it first subscribed on. */
  home: string;
  /** Where it is subscribed now. */
  instance: Instance;
  /** Every version received, in arrival order. */
  received: { id: string; version: number }[];
  lastCursor: string;
  moves: Move[];
  reconnects: number;
  done: boolean;
}

const SUBSCRIPTION = 'subscription ($since: String) { vmRequestChanges(since: $since) { cursor vmRequest { id version } } }';
const subscribers: Subscriber[] = [];

/**
 * A graphql-ws subscriber (bob, the admin, sees every request) that, when its connection ends, subscribes again
 * with `since` = the last cursor it received: on the same instance while it runs, else on another one.
 */
function subscribe(name: string, instance: Instance, since: string): Subscriber {
  const subscriber: Subscriber = { name, home: instance.name, instance, received: [], lastCursor: since, moves: [], reconnects: 0, done: false };
  const connect = () => {
    const client = createClient({
      url: subscriber.instance.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${tokens.bob}` },
      retryAttempts: 0,
      on: {
        connected: () => {
          const move = subscriber.moves.at(-1);
          if (move && move.connectedAt === null) move.connectedAt = Date.now();
        },
      },
    });
    clients.add(client);
    let ended = false;
    const again = () => {
      if (ended) return;
      ended = true;
      clients.delete(client);
      void client.dispose();
      if (subscriber.done) return;
      subscriber.reconnects++;
      if (!alive.includes(subscriber.instance)) {
        const from = subscriber.instance;
        subscriber.instance = nextAlive();
        subscriber.moves.push({ from: from.name, to: subscriber.instance.name, closedAt: Date.now(), connectedAt: null, firstAt: null });
      }
      setTimeout(connect, 100);
    };
    client.subscribe<{ vmRequestChanges: { cursor: string; vmRequest: { id: string; version: number } } }>(
      { query: SUBSCRIPTION, variables: { since: subscriber.lastCursor } },
      {
        next: ({ data }) => {
          if (!data) return;
          const { cursor, vmRequest } = data.vmRequestChanges;
          subscriber.received.push({ id: idOf(vmRequest.id, 'VmRequest')!, version: vmRequest.version });
          subscriber.lastCursor = cursor;
          const move = subscriber.moves.at(-1);
          if (move && move.firstAt === null) move.firstAt = Date.now();
        },
        error: again,
        complete: again,
      },
    );
  };
  connect();
  subscribers.push(subscriber);
  return subscriber;
}

// --- the database's view -----------------------------------------------------------------------------------------

/** Which instance leads each projection now (pg_locks: the advisory lock and its connection's application_name). */
async function leaders(): Promise<Map<string, Instance | undefined>> {
  const held = await readLeaders(database.sql, LEADER_NAMES);
  return new Map(LEADER_NAMES.map((name) => [name, held.has(name) ? instanceOf(started, held.get(name)!.applicationName) : undefined]));
}

async function streamOf(id: string): Promise<string[]> {
  const rows = await database.sql<{ event_type: string; stage: string | null }[]>`
    select event_type, data->>'stage' as stage from events where stream_id = ${id} order by stream_version`;
  return rows.map((row) => (row.event_type === 'VmProvisioningProgressed' ? `${row.event_type}:${row.stage}` : row.event_type));
}

const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  console.log(`[instances drill] ${line}`);
};
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;

// --- the drills --------------------------------------------------------------------------------------------------

let startCursor: string;
/** Request streams that existed before the drill (the demo seed's): the subscribers start after them. */
let seededStreams: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'dvmm-instances-drill-'));
  stateFile = join(dir, 'hypervisor.json');
  tokens.alice = await mintToken(tokenClaims(alice), { secret });
  tokens.bob = await mintToken(tokenClaims(bob), { secret });
  // One after the other, so the first one (which seeds the demo tenant) is also the first to lead.
  for (const name of ['a', 'b', 'c']) alive.push(await start(name));
});

afterAll(async () => {
  load.running = false;
  for (const subscriber of subscribers) subscriber.done = true;
  for (const client of clients) await client.dispose();
  await load.done.catch(() => {});
  await Promise.all(started.map((instance) => stopInstance(instance)));
  const file = join(tmpdir(), 'dvmm-instances-drill.log');
  writeFileSync(file, `${[...figures, ...started.flatMap((instance) => instance.output)].join('\n')}\n`);
  console.log(`[instances drill] instances' output: ${file}`);
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('failover drills: three instances on one database, under load', () => {
  it('serves the same demo tenant from all three, with subscribers on each and the load going', async () => {
    projectId = await vi.waitFor(async () => {
      const response = await fetch(alive[2]!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.alice}` },
        body: JSON.stringify({ query: '{ projects { edges { node { id } } } }' }),
      });
      const body = (await response.json()) as { data?: { projects: { edges: { node: { id: string } }[] } } };
      const id = body.data?.projects.edges[0]?.node.id;
      expect(id, 'the demo projects').toBeDefined();
      return id!;
    }, WAIT);
    seededStreams = (await database.sql<{ stream_id: string }[]>`select distinct stream_id from events where stream_type = 'VmRequest'`).map(
      (row) => row.stream_id,
    );
    const cursor = await fetch(alive[0]!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.bob}` },
      body: JSON.stringify({ query: '{ liveCursor }' }),
    });
    startCursor = ((await cursor.json()) as { data: { liveCursor: string } }).data.liveCursor;

    for (const instance of alive) {
      for (let i = 0; i < SUBSCRIBERS_PER_INSTANCE; i++) subscribe(`${instance.name}${i}`, instance, startCursor);
    }
    for (const instance of alive) {
      await expect.poll(() => activeSubscriptions(instance), { ...WAIT, message: `subscribers on ${instance.name}` }).toBe(SUBSCRIBERS_PER_INSTANCE);
    }
    startLoad();
    await loadFor(CREATES_PER_PHASE);
    // Every projection has a leader among the three.
    expect([...(await leaders()).values()].every((leader) => leader !== undefined && alive.includes(leader))).toBe(true);
  }, 300_000);

  it('drill 1: the instance leading the projector is killed under load; another leads', async () => {
    const before = await leaders();
    const victim = before.get('vm_requests')!;
    figure(`leaders before: ${LEADER_NAMES.map((name) => `${name}=${before.get(name)?.name}`).join(' ')}`);

    const killedAt = await crash(victim);
    const ledAgain = (await vi.waitFor(async () => {
      const now = await leaders();
      const leader = now.get('vm_requests');
      expect(leader && alive.includes(leader), 'vm_requests led by a running instance').toBe(true);
      return { at: Date.now(), leader: leader! };
    }, MEASURE));
    const allLed = await vi.waitFor(async () => {
      const now = await leaders();
      expect([...now.values()].every((leader) => leader !== undefined && alive.includes(leader)), 'every projection led by a running instance').toBe(true);
      return { at: Date.now(), now };
    }, MEASURE);
    figure(
      `drill 1: killed ${victim.name} (leading vm_requests); ${ledAgain.leader.name} leads vm_requests ${ledAgain.at - killedAt} ms later, ` +
        `every projection led again after ${allLed.at - killedAt} ms (target 5000 ms; leaders: ` +
        `${LEADER_NAMES.map((name) => `${name}=${allLed.now.get(name)?.name}`).join(' ')})`,
    );
    expect(ledAgain.leader).not.toBe(victim);
    // It says so in its log (printed just after it took the lock).
    await vi.waitFor(() => expect(ledAgain.leader.output.some((line) => /\[projector\] leading vm_requests$/.test(line))).toBe(true), WAIT);
    await loadFor(CREATES_PER_PHASE);
  }, 300_000);

  it('drill 2: the instance driving a provisioning job is killed mid-stage; another resumes it, with one VM', async () => {
    const id = await createAndApprove('drill-resume');
    drillRequests.push(id);
    // The clone is done (the VM exists in the shared inventory) and the next stage is under way: kill its driver.
    const driver = await vi.waitFor(async () => {
      const clones = readSimulatorFile(stateFile).calls.filter((c) => c.requestId === id && c.operation === 'clone' && c.outcome === 'ok');
      expect(clones, 'the VM cloned').toHaveLength(1);
      const job = (await readProvisioningJobsStatus(database.sql)).running.find((running) => running.requestId === id);
      expect(job, 'the job driven by an instance').toBeDefined();
      return { instance: instanceOf(alive, job!.applicationName), clonedBy: clones[0]!.pid };
    }, MEASURE);
    expect(driver.instance?.pid, 'the instance holding the job lock is the one that cloned').toBe(driver.clonedBy);
    const victim = driver.instance!;
    const busy = (await readProvisioningJobsStatus(database.sql)).running;
    const jobsAtKill = alive.map((instance) => `${instance.name}:${busy.filter((job) => instanceOf([instance], job.applicationName)).length}`);
    const killedAt = await crash(victim);
    const atKill = await streamOf(id);
    expect(atKill.at(-1), 'killed before the job ended').not.toBe('VmRequestReady');

    const resumed = await vi.waitFor(async () => {
      const job = (await readProvisioningJobsStatus(database.sql)).running.find((running) => running.requestId === id);
      const by = job && instanceOf(alive, job.applicationName);
      const done = (await streamOf(id)).at(-1) === 'VmRequestReady';
      expect(by !== undefined || done, 'the job taken over by a running instance').toBe(true);
      return { at: Date.now(), by };
    }, MEASURE);
    const readyAt = await vi.waitFor(async () => {
      expect((await streamOf(id)).at(-1)).toBe('VmRequestReady');
      return Date.now();
    }, WAIT);
    figure(
      `drill 2: killed ${victim.name} at ${atKill.at(-1)} (after the clone); ${resumed.by?.name ?? 'a running instance'} took the job ` +
        `${resumed.at - killedAt} ms later, READY ${readyAt - killedAt} ms after the kill (jobs running per instance at the kill: ${jobsAtKill.join(' ')})`,
    );

    expect(await streamOf(id)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
    const { vms, calls } = readSimulatorFile(stateFile);
    const mine = calls.filter((c) => c.requestId === id);
    expect(vms.filter((vm) => vm.name === hypervisorVmName(id))).toHaveLength(1);
    expect(mine.filter((c) => c.operation === 'clone' && c.outcome === 'ok')).toHaveLength(1);
    expect(mine.filter((c) => c.operation === 'delete')).toEqual([]);
    // The survivor found the VM the killed one had cloned and finished it.
    const finisher = mine.find((c) => c.operation === 'waitForNetwork' && c.outcome === 'ok');
    expect(alive.map((instance) => instance.pid)).toContain(finisher?.pid);
    await loadFor(CREATES_PER_PHASE);
  }, 300_000);

  it("drill 3: the killed instances' subscribers moved with `since`; every subscriber has every version once, in order", async () => {
    load.running = false;
    await load.done;
    const approved = [...load.approved, ...drillRequests, ...(await Promise.all(cutOff))];

    // Every approved request ends READY, with exactly one VM in the shared inventory.
    await vi.waitFor(async () => {
      const rows = await database.sql<{ last: string; n: number }[]>`
        select last, count(*)::int as n from (
          select (array_agg(event_type order by stream_version desc))[1] as last
          from events where stream_id = any(${approved}::text[]) group by stream_id) s
        group by last`;
      expect(rows).toEqual([{ last: 'VmRequestReady', n: approved.length }]);
    }, { timeout: 300_000, interval: 500 });
    const { vms, calls } = readSimulatorFile(stateFile);
    const vmsPerName = new Map<string, number>();
    for (const vm of vms) vmsPerName.set(vm.name, (vmsPerName.get(vm.name) ?? 0) + 1);
    expect([...vmsPerName].filter(([, n]) => n !== 1)).toEqual([]);
    expect(approved.filter((id) => vmsPerName.get(hypervisorVmName(id)) !== 1)).toEqual([]);
    expect(calls.filter((c) => c.operation === 'clone' && c.outcome === 'ok')).toHaveLength(vms.length);

    // No acknowledged mutation lost or doubled although some were cut off by a kill and sent again elsewhere.
    const commandIds = acknowledged.map((a) => commandIdFor(principals[a.who], a.commandType, a.key));
    const perCommand = await database.sql<{ command_id: string; n: number }[]>`
      select metadata->>'commandId' as command_id, count(*)::int as n from events
      where metadata->>'commandId' = any(${commandIds}::text[]) group by 1`;
    const counts = new Map(perCommand.map((row) => [row.command_id, row.n]));
    expect(commandIds.filter((commandId) => counts.get(commandId) !== 1)).toEqual([]);
    // Of the creations sent to an instance just before its kill, those it had committed (the retry elsewhere was
    // answered from that commit) and those it had not.
    const cut = acknowledged.filter((a) => a.commandType === 'CreateVmRequest' && a.key.startsWith('cut-') && a.by !== /^cut-(.+)-\d+-create$/.exec(a.key)![1]);
    const committedAt = await database.sql<{ key: string; at: string }[]>`
      select e.metadata->>'commandId' as key, e.metadata->>'occurredAt' as at from events e
      where e.metadata->>'commandId' = any(${cut.map((a) => commandIdFor(alice, a.commandType, a.key))}::text[])`;
    const beforeKill = cut.filter((a) => {
      const row = committedAt.find((r) => r.key === commandIdFor(alice, a.commandType, a.key));
      return row !== undefined && Date.parse(row.at) < killedAt.get(/^cut-(.+)-\d+-create$/.exec(a.key)![1]!)!;
    });

    // Every version of every request made during the drill, from the event store.
    const streams = await database.sql<{ stream_id: string; versions: number }[]>`
      select stream_id, max(stream_version)::int as versions from events
      where stream_type = 'VmRequest' and not (stream_id = any(${seededStreams}::text[])) group by stream_id`;
    const expected = new Map(streams.map((row) => [row.stream_id, [...Array(row.versions).keys()].map((i) => i + 1)]));
    const total = streams.reduce((sum, row) => sum + row.versions, 0);
    await vi.waitFor(() => {
      for (const subscriber of subscribers) expect(subscriber.received.length, subscriber.name).toBeGreaterThanOrEqual(total);
    }, WAIT).catch(() => {}); // the comparison below says what is missing
    for (const subscriber of subscribers) {
      const versions = new Map<string, number[]>();
      for (const { id, version } of subscriber.received) versions.set(id, [...(versions.get(id) ?? []), version]);
      const wrong = [...new Set([...expected.keys(), ...versions.keys()])]
        .filter((id) => JSON.stringify(versions.get(id)) !== JSON.stringify(expected.get(id)))
        .map((id) => ({ id, expected: expected.get(id), received: versions.get(id) }));
      expect({ subscriber: subscriber.name, wrong }).toEqual({ subscriber: subscriber.name, wrong: [] });
    }

    // The killed instances' subscribers went to another instance, and only they moved.
    const victims = new Set(killed.map((instance) => instance.name));
    const moved = subscribers.filter((subscriber) => subscriber.moves.length > 0);
    expect(moved.filter((subscriber) => !victims.has(subscriber.home)).map((subscriber) => subscriber.name)).toEqual([]);
    for (const name of victims) expect(moved.filter((subscriber) => subscriber.home === name).length, `subscribers of ${name}`).toBe(SUBSCRIBERS_PER_INSTANCE);
    const moves = moved.flatMap((subscriber) => subscriber.moves);
    expect(moves.every((move) => move.connectedAt !== null)).toBe(true);
    const toConnected = moves.map((move) => move.connectedAt! - move.closedAt);
    const toFirst = moves.filter((move) => move.firstAt !== null).map((move) => move.firstAt! - move.closedAt);
    figure(
      `drill 3: ${moves.length} moves of ${moved.length} subscribers (${moves.map((m) => `${m.from}->${m.to}`).join(' ')}); ` +
        `closed to connected elsewhere: median ${median(toConnected)} ms, max ${Math.max(...toConnected)} ms; ` +
        `closed to first version there: median ${median(toFirst)} ms, max ${Math.max(...toFirst)} ms`,
    );
    figure(
      `load: ${approved.length} requests approved, ${acknowledged.length} mutations acknowledged, retried on another instance: ` +
        `${[...retried].map(([name, n]) => `${name}:${n}`).join(' ') || 'none'}; ${total} versions of ${streams.length} requests, ` +
        `delivered to each of ${subscribers.length} subscribers (reconnects: ${subscribers.map((s) => `${s.name}:${s.reconnects}`).join(' ')}); ` +
        `of ${cut.length} creations cut off by a kill, ${beforeKill.length} committed by the killed instance (the retry elsewhere ` +
        `answered from that commit), ${cut.length - beforeKill.length} written by the retry`,
    );

    // The read models equal a rebuild from the events, after the leader died mid-stream.
    await vi.waitFor(async () => expect(await checkpointsAtEnd(database.sql, PROJECTIONS.map((p) => p.name))).toBe(true), WAIT);
    for (const projection of PROJECTIONS) await expectSameAsFreshRebuild(database.sql, projection);
  }, 600_000);

  it('the killed instances, started again, join as standbys and serve', async () => {
    const leaderNames = async () => [...(await leaders())].map(([name, leader]) => `${name}=${leader?.name}`);
    const before = await leaderNames();
    const restarted = await Promise.all(killed.map((instance) => start(`${instance.name}-again`)));
    for (const instance of restarted) {
      await expect.poll(async () => (await fetch(new URL('/ready', instance.url))).status, { ...WAIT, message: `${instance.name} ready` }).toBe(200);
    }
    alive.push(...restarted);
    // Standbys: the leaders stay where they were, and neither new instance took any lead.
    expect(await leaderNames()).toEqual(before);
    for (const instance of restarted) expect(instance.output.filter((line) => /\[projector\] leading /.test(line))).toEqual([]);

    // A request made through one restarted instance reaches a subscriber of the other.
    const [first, second] = restarted as [Instance, Instance];
    const cursor = subscribers[0]!.lastCursor;
    const watcher = subscribe(`${second.name}-watcher`, second, cursor);
    const response = await fetch(first.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.alice}` },
      body: JSON.stringify({
        query: CREATE,
        variables: { input: { projectId, vmName: 'after-restart', size: 'S', justification: 'Through a restarted instance' } },
      }),
    });
    const created = ((await response.json()) as { data: { createVmRequest: { vmRequest: { id: string } } } }).data.createVmRequest.vmRequest;
    await vi.waitFor(() => expect(watcher.received).toContainEqual({ id: idOf(created.id, 'VmRequest'), version: 1 }), WAIT);
    expect(watcher.moves).toEqual([]);
  }, 300_000);
});
