/**
 * Scale-out on one Postgres, with real `src/main.ts` processes (production settings, provisioning off) and the
 * clients in child processes (bench/scale-clients.ts):
 *   1. fan-out: 30,000 graphql-ws subscribers of one request's vmRequestUpdated, spread evenly over three instances
 *      (one subscription per socket by default, each client process from a 127.0.0.x of its own); one approval sent
 *      to instance 1; per instance, when its subscribers had it (first, p50, p99, last, from the moment the mutation
 *      was sent), its CPU meanwhile, and its heap (after a full GC) and resident memory per subscriber;
 *   2. createVmRequest/s over HTTP at N connections spread over 1, 2 and 3 of the instances, on one primary, the
 *      three cases alternated in the same run (1 2 3 3 2 1 ...), with the cores each process kept busy meanwhile
 *      (every instance, Postgres, the load generator, and the rest of the machine);
 *   3. vmRequests(first: 20) and vmRequest(id) per second from one instance that reads on the primary and one with
 *      DATABASE_READ_URL on a streaming replica, alternated, with the primary's and the replica's CPU. Needs the
 *      machine's Postgres binaries (initdb, pg_basebackup, pg_ctl); skipped with a note where they are missing.
 *
 * Compare within one run: absolute figures drift on a shared machine, and on 2 cores the instances, Postgres and the
 * load generator all compete for the same CPU, which the CPU lines show.
 *
 *   npm run bench -- scale
 *   npx tsx bench/scale.ts [--quick] [--subscribers 30000] [--per-socket 1] [--seconds 5] [--rounds 2]
 *                          [--connections 32] [--phases fanout,mutations,queries]
 *
 * --quick is a smoke run: 600 subscribers, 12 connections, one round of 2 s per part, 200 requests to query.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createCommandHandlers, type CommandHandlers } from '../src/commands/index.ts';
import { createSql, type Sql } from '../src/db/client.ts';
import type { Principal } from '../src/domain/index.ts';
import { createEventStore, type EventStore } from '../src/event-store/index.ts';
import { mintToken } from '../src/http/auth.ts';
import { createReplicatedPair, findReplicationBinaries } from '../test/support/pg-replica.ts';
import { caughtUp } from './support/caught-up.ts';
import { ClientProcess } from './support/client-process.ts';
import { cpuSecondsOf } from './support/cpu.ts';
import { benchDatabase, describeServer, percentile } from './support/database.ts';
import { benchSecrets, type Instance, startInstance } from './support/instances.ts';
import { postgresCpuMeter } from './support/postgres-cpu.ts';
import { coreCount, loadAverages, machineMeter } from './support/machine.ts';
import { approveOnce, RawHttpConnection } from './support/raw-http.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    subscribers: { type: 'string' },
    'per-socket': { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    phases: { type: 'string' },
  },
});
const quick = flags.quick ?? false;
const number = (value: string | undefined, fallback: number): number => (value === undefined ? fallback : Number(value));
const settings = {
  subscribers: number(flags.subscribers, quick ? 600 : 30_000),
  perSocket: number(flags['per-socket'], 1),
  seconds: number(flags.seconds, quick ? 2 : 5),
  rounds: number(flags.rounds, quick ? 1 : 2),
  connections: number(flags.connections, quick ? 12 : 32),
  /** Requests in the database the query phase reads from. */
  requests: quick ? 200 : 2_000,
  phases: new Set((flags.phases ?? 'fanout,mutations,queries').split(',')),
};
const INSTANCES = 3;
/** Per instance; with up to 12 connections outside the pool (docs/operations.md), three fit Postgres's default 100. */
const POOL_MAX = 16;
const TENANT = 'bench-scale';
const admin: Principal = { tenantId: TENANT, userId: 'admin', roles: ['admin'] };
const secrets = benchSecrets();

const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number): string => `${value.toFixed(0)} ms`;
const cores = (value: number): string => value.toFixed(2);

interface Tenant {
  projectIds: string[];
  users: string[];
  tokens: string[];
  adminToken: string;
  approverToken: string;
}

/** A tenant of 200 users in 50 projects of 4 (as bench/live, so that no one project's stream grows long). */
async function setUpTenant(commands: CommandHandlers): Promise<Tenant> {
  const projectIds: string[] = [];
  for (let p = 0; p < 50; p++) {
    const created = await commands.createProject(admin, { name: `Scale ${p}` });
    if (!created.ok) throw new Error(created.error.message);
    projectIds.push(created.value.id);
  }
  const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
  for (let i = 0; i < users.length; i++) {
    const added = await commands.addProjectMember(admin, { projectId: projectIds[i % projectIds.length]!, userId: users[i]!, role: 'MEMBER' });
    if (!added.ok) throw new Error(added.error.message);
  }
  const token = (sub: string, roles: ('user' | 'admin')[]) => mintToken({ sub, tenant: TENANT, roles }, { secret: secrets.jwtSecret });
  return {
    projectIds,
    users,
    tokens: await Promise.all(users.map((user) => token(user, ['user']))),
    adminToken: await token('admin', ['admin']),
    approverToken: await token('admin-2', ['admin']),
  };
}

const describeInstance = (instance: Instance): string => `${instance.name}${instance.leadsProjector() ? ' (leads the projector)' : ''}`;

// ---------------------------------------------------------------------------------------------------------------
// 1. Fan-out

async function activeSubscriptions(instance: Instance): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', instance.url))).text();
  return Number(/^dvmm_subscriptions_active (\d+)/m.exec(metrics)?.[1] ?? 0);
}

async function fanout(instances: Instance[], clients: ClientProcess[], commands: CommandHandlers, tenant: Tenant, sql: Sql): Promise<void> {
  const target = await commands.createVmRequest(admin, { projectId: tenant.projectIds[0]!, vmName: 'fanout-target', size: 'L', justification: 'Fan-out benchmark target' });
  if (!target.ok) throw new Error(target.error.message);
  await caughtUp(sql);
  const requestId = Buffer.from(`VmRequest:${target.value.id}`, 'utf8').toString('base64');
  const perInstance = Math.floor(settings.subscribers / INSTANCES / settings.perSocket) * settings.perSocket;
  const sockets = perInstance / settings.perSocket;

  const memoryBefore: { heapUsed: number; rss: number }[] = [];
  for (const instance of instances) memoryBefore.push(await instance.memory());
  const subscribing = performance.now();
  await Promise.all(
    instances.map((instance, i) =>
      clients[i]!.ask(
        { kind: 'subscribe', wsUrl: instance.wsUrl, token: tenant.adminToken, requestId, sockets, perSocket: settings.perSocket, localAddress: `127.0.0.${10 + i}` },
        'subscribed',
      ),
    ),
  );
  const subscribeSeconds = (performance.now() - subscribing) / 1000;
  const memoryAfter: { heapUsed: number; rss: number }[] = [];
  for (const instance of instances) memoryAfter.push(await instance.memory());

  // A connection opened and used beforehand, so the time measured starts with the request, not a TCP handshake.
  const approver = new RawHttpConnection(new URL(instances[0]!.url));
  const header = [`Authorization: Bearer ${tenant.approverToken}`];
  await approver.post(JSON.stringify({ query: '{ __typename }' }), header);
  await sleep(500);
  let start = 0;
  let answeredMs = 0;
  // From the approval until every client process has all its deliveries (or gave up waiting).
  const { result: replies, usage } = await measure(
    sql,
    instances.map((instance) => instance.pid),
    clients.map((client) => client.pid),
    async () => {
      start = epochNow();
      answeredMs = await approveOnce(approver, header, requestId);
      return Promise.all(clients.slice(0, INSTANCES).map((client) => client.ask({ kind: 'collect', waitMs: 60_000 }, 'delivered')));
    },
  );
  approver.close();

  console.log(
    `1. fan-out: ${perInstance * INSTANCES} vmRequestUpdated subscribers of one request, ${perInstance} on each of ${INSTANCES} instances ` +
      `(${settings.perSocket} per socket, ${sockets * INSTANCES} sockets; subscribing took ${subscribeSeconds.toFixed(0)} s); ` +
      `one approval sent to ${instances[0]!.name}, answered after ${ms(answeredMs)}. Times from the moment it was sent:`,
  );
  const all: number[] = [];
  replies.forEach((reply, i) => {
    const times = reply.at.map((at) => at - start).sort((a, b) => a - b);
    all.push(...times);
    const heap = (memoryAfter[i]!.heapUsed - memoryBefore[i]!.heapUsed) / perInstance / 1024;
    const rss = (memoryAfter[i]!.rss - memoryBefore[i]!.rss) / perInstance / 1024;
    console.log(
      `   ${describeInstance(instances[i]!)}: ${times.length}/${reply.expected} delivered, first ${ms(times[0] ?? Number.NaN)}, ` +
        `p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}, last ${ms(times.at(-1) ?? Number.NaN)}; ` +
        `CPU ${ms(usage.instances[i]! * 1000)}; per subscriber: heap ${heap.toFixed(1)} KiB (after a full GC), RSS ${rss.toFixed(1)} KiB`,
    );
  });
  all.sort((a, b) => a - b);
  console.log(
    `   all ${INSTANCES}: ${all.length}/${perInstance * INSTANCES} delivered, p50 ${ms(percentile(all, 50))}, p99 ${ms(percentile(all, 99))}, ` +
      `last ${ms(all.at(-1) ?? Number.NaN)}`,
  );
  const instanceCpu = usage.instances.reduce((a, b) => a + b, 0);
  console.log(
    `   bound: CPU in those ${ms(usage.wall * 1000)}, as cores busy on average: ${describeUsage(usage, instances.map((instance) => instance.name), 'Postgres', [], 'clients')}. ` +
      `Delivering took ${ms(instanceCpu * 1000)} of instance CPU (${((instanceCpu * 1e6) / Math.max(1, all.length)).toFixed(0)} us per delivery) ` +
      `and ${ms(usage.clients * 1000)} in the clients receiving them`,
  );
  await Promise.all(clients.slice(0, INSTANCES).map((client) => client.ask({ kind: 'unsubscribe' }, 'unsubscribed')));
  // The next phase starts once the instances have let every subscriber go, not while they are still closing sockets.
  for (const instance of instances) {
    while ((await activeSubscriptions(instance)) > 0) await sleep(200);
  }
  await sleep(2000);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Mutations on 1, 2 and 3 instances

interface Usage {
  wall: number;
  instances: number[];
  postgres: number;
  clients: number;
  machine: number;
}

/** CPU seconds used by each of our processes while `work` runs, and the machine's busy cores. */
async function measure<T>(sql: Sql, pids: number[], clientPids: number[], work: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
  const postgres = await postgresCpuMeter(sql);
  const before = pids.map(cpuSecondsOf);
  const clientCpu = () => clientPids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
  const client0 = clientCpu();
  const machine = machineMeter();
  const started = performance.now();
  const result = await work();
  const wall = (performance.now() - started) / 1000;
  const busy = machine();
  return {
    result,
    usage: {
      wall,
      instances: pids.map((pid, i) => cpuSecondsOf(pid) - before[i]!),
      postgres: postgres(),
      clients: clientCpu() - client0,
      machine: busy.busyCores * busy.seconds,
    },
  };
}

const addUsage = (a: Usage | undefined, b: Usage): Usage =>
  a
    ? {
        wall: a.wall + b.wall,
        instances: a.instances.map((value, i) => value + b.instances[i]!),
        postgres: a.postgres + b.postgres,
        clients: a.clients + b.clients,
        machine: a.machine + b.machine,
      }
    : b;

/** "instance 1 0.61, instance 2 0.05, Postgres 0.83, load generator 0.12, others 0.20 of 2 cores" (averages). */
function describeUsage(usage: Usage, names: string[], postgresName = 'Postgres', extra: [string, number][] = [], clientsName = 'load generator'): string {
  const per = (seconds: number) => cores(seconds / usage.wall);
  const ours = usage.instances.reduce((a, b) => a + b, 0) + usage.postgres + usage.clients + extra.reduce((sum, [, value]) => sum + value, 0);
  const parts = [
    ...usage.instances.map((seconds, i) => `${names[i]} ${per(seconds)}`),
    `${postgresName} ${per(usage.postgres)}`,
    ...extra.map(([name, seconds]) => `${name} ${per(seconds)}`),
    `${clientsName} ${per(usage.clients)}`,
    `everything else on the machine ${cores(Math.max(0, usage.machine - ours) / usage.wall)}`,
  ];
  return `${parts.join(', ')}; machine busy ${per(usage.machine)} of ${coreCount()} cores`;
}

/** CPU per operation (warm-up included, so slightly high) in the instances, Postgres and the load generator, in us. */
function cpuPer(usage: Usage, operations: number, extra = 0): { instances: number; postgres: number; clients: number; total: number; ceiling: number } {
  const us = (seconds: number) => (seconds * 1e6) / Math.max(1, operations);
  const instances = us(usage.instances.reduce((a, b) => a + b, 0));
  const postgres = us(usage.postgres + extra);
  const clients = us(usage.clients);
  const total = instances + postgres + clients;
  // What the machine's cores could do if this work had them all to itself, nothing waiting on anything else.
  return { instances, postgres, clients, total, ceiling: (coreCount() * 1e6) / total };
}

async function mutationScaling(instances: Instance[], client: ClientProcess, tenant: Tenant, sql: Sql): Promise<void> {
  const counts = [1, 2, 3];
  const totals = new Map<number, { done: number; sent: number; seconds: number; failures: number; firstFailure?: string; perUrl: number[]; usage?: Usage }>();
  for (const count of counts) totals.set(count, { done: 0, sent: 0, seconds: 0, failures: 0, perUrl: new Array<number>(count).fill(0) });
  let part = 0;
  for (let round = 0; round < settings.rounds; round++) {
    // 1 2 3 then 3 2 1: drift on a shared machine falls on every case alike.
    for (const count of round % 2 === 0 ? counts : [...counts].reverse()) {
      // Each part starts with the read models caught up, so none inherits the previous one's projection work.
      await caughtUp(sql);
      const { result, usage } = await measure(sql, instances.map((instance) => instance.pid), [client.pid], () =>
        client.ask(
          {
            kind: 'mutations',
            urls: instances.slice(0, count).map((instance) => instance.url),
            tokens: tenant.tokens,
            projectIds: tenant.projectIds,
            connections: settings.connections,
            seconds: settings.seconds,
            prefix: `m${part++}`,
          },
          'rate',
        ),
      );
      const total = totals.get(count)!;
      total.done += result.perSecond * settings.seconds;
      total.sent += result.count;
      total.seconds += settings.seconds;
      total.failures += result.failures;
      total.firstFailure ??= result.firstFailure;
      result.perUrl.forEach((rate, i) => (total.perUrl[i]! += rate * settings.seconds));
      total.usage = addUsage(total.usage, usage);
    }
  }
  console.log(
    `2. createVmRequest over HTTP, ${settings.connections} connections spread over 1, 2 and 3 instances on one primary ` +
      `(${settings.rounds} × ${settings.seconds} s each, alternated; CPU as cores busy on average, warm-up included):`,
  );
  const names = instances.map((instance) => instance.name.replace('instance ', '#') + (instance.leadsProjector() ? ' (projector)' : ''));
  const perMutation = new Map<number, ReturnType<typeof cpuPer>>();
  for (const count of counts) {
    const total = totals.get(count)!;
    const cpu = cpuPer(total.usage!, total.sent);
    perMutation.set(count, cpu);
    console.log(
      `   ${count} instance${count > 1 ? 's' : ' '}: ${(total.done / total.seconds).toFixed(0)}/s ` +
        `(${total.perUrl.map((done) => (done / total.seconds).toFixed(0)).join(' + ')}; ${total.failures} failed); ` +
        `CPU per mutation: instances ${cpu.instances.toFixed(0)} us, Postgres ${cpu.postgres.toFixed(0)} us, load generator ${cpu.clients.toFixed(0)} us ` +
        `(${coreCount()} cores to itself: at most ~${cpu.ceiling.toFixed(0)}/s)\n      cores busy: ${describeUsage(total.usage!, names)}`,
    );
    if (total.firstFailure) console.log(`      first failure: ${total.firstFailure}`);
  }
  const rate = (count: number) => totals.get(count)!.done / totals.get(count)!.seconds;
  const usage3 = totals.get(3)!.usage!;
  const busy = usage3.machine / usage3.wall;
  const ours = (usage3.instances.reduce((a, b) => a + b, 0) + usage3.postgres + usage3.clients) / usage3.wall;
  console.log(
    `   bound: three instances give ${((rate(3) / rate(1)) * 100).toFixed(0)}% of one instance's rate (two: ${((rate(2) / rate(1)) * 100).toFixed(0)}%). ` +
      `With three, the machine was ${cores(busy)} of ${coreCount()} cores busy, ${cores(ours)} of them ours` +
      `${busy >= coreCount() * 0.9 ? ': the cores were full, so the rate is what CPU this work was given, not what more instances could add' : ''}; ` +
      `CPU per mutation ${perMutation.get(1)!.total.toFixed(0)} us with one instance, ${perMutation.get(3)!.total.toFixed(0)} us with three, ` +
      `of which Postgres ${perMutation.get(1)!.postgres.toFixed(0)} and ${perMutation.get(3)!.postgres.toFixed(0)} us`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Queries with and without the replica

/** "replica-1 41234, primary 12; fallbacks: wait 0, no-replica 0, failed 0" from the instance's /metrics, if it has them. */
async function readRouting(instance: Instance): Promise<string | null> {
  const text = await (await fetch(new URL('/metrics', instance.url))).text();
  const series = (name: string, label: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{${label}="([^"]+)"\\} (\\S+)$`, 'gm'))].map((match) => `${match[1]} ${Number(match[2])}`);
  const reads = series('dvmm_read_replica_reads_total', 'target');
  if (reads.length === 0) return null;
  return `${reads.join(', ')}; fallbacks to the primary: ${series('dvmm_read_replica_fallbacks_total', 'reason').join(', ') || 'none'}`;
}

async function queryScaling(clients: ClientProcess[]): Promise<void> {
  const bin = findReplicationBinaries();
  if (!bin) {
    console.log('3. queries with and without a replica: skipped (no initdb, pg_basebackup and pg_ctl under /usr/lib/postgresql)');
    return;
  }
  const pair = await createReplicatedPair(bin);
  const name = `dvmm_bench_${randomBytes(4).toString('hex')}`;
  const instances: Instance[] = [];
  let primarySql: Sql | undefined;
  let replicaSql: Sql | undefined;
  try {
    const { primaryUrl, replicaUrl } = await pair.createMigratedDatabase(name);
    primarySql = createSql(primaryUrl, { max: 4, applicationName: 'dvmm-bench' });
    replicaSql = createSql(replicaUrl, { max: 2, applicationName: 'dvmm-bench' });
    instances.push(await startInstance('reads on the primary', { databaseUrl: primaryUrl, poolMax: POOL_MAX, secrets }));
    instances.push(await startInstance('reads on the replica', { databaseUrl: primaryUrl, readUrl: replicaUrl, poolMax: POOL_MAX, secrets }));

    const store: EventStore = createEventStore(primarySql);
    const commands = createCommandHandlers(store);
    const tenant = await setUpTenant(commands);
    const owned: { id: string; user: number }[] = [];
    for (let i = 0; i < settings.requests; i++) {
      const user = i % tenant.users.length;
      const principal: Principal = { tenantId: TENANT, userId: tenant.users[user]!, roles: ['user'] };
      const created = await commands.createVmRequest(principal, {
        projectId: tenant.projectIds[user % tenant.projectIds.length]!,
        vmName: `q-${i}`,
        size: 'S',
        justification: 'Query benchmark request',
      });
      if (!created.ok) throw new Error(created.error.message);
      owned.push({ id: created.value.id, user });
    }
    await store.flush();
    await caughtUp(primarySql);
    await pair.waitForReplica();

    const kinds = {
      'vmRequests(first: 20)': tenant.users.map((_, user) => ({
        body: JSON.stringify({ query: '{ vmRequests(first: 20) { edges { node { id vmName status version } } } }' }),
        token: tenant.tokens[user]!,
      })),
      'vmRequest(id)': owned.map(({ id, user }) => ({
        body: JSON.stringify({ query: 'query($id: ID!) { vmRequest(id: $id) { id vmName status version } }', variables: { id } }),
        token: tenant.tokens[user]!,
      })),
    };
    const client = clients[0]!;
    const results = new Map<string, { done: number; sent: number; seconds: number; failures: number; firstFailure?: string; usage?: Usage; replica: number }>();
    for (let round = 0; round < settings.rounds; round++) {
      for (const [kind, queries] of Object.entries(kinds)) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const which of order) {
          const instance = instances[which]!;
          const replicaCpu = await postgresCpuMeter(replicaSql);
          const pids = which === 0 ? [instance.pid, instances[1]!.pid] : [instance.pid, instances[0]!.pid];
          const { result, usage } = await measure(primarySql, pids, [client.pid], () =>
            client.ask({ kind: 'queries', urls: [instance.url], connections: settings.connections, seconds: settings.seconds, queries }, 'rate'),
          );
          const key = `${kind}|${which}`;
          const total = results.get(key) ?? { done: 0, sent: 0, seconds: 0, failures: 0, replica: 0 };
          total.done += result.perSecond * settings.seconds;
          total.sent += result.count;
          total.seconds += settings.seconds;
          total.failures += result.failures;
          total.firstFailure ??= result.firstFailure;
          total.usage = addUsage(total.usage, usage);
          total.replica += replicaCpu();
          results.set(key, total);
        }
      }
    }
    // Whether the instance given DATABASE_READ_URL actually read there: its connections on the replica.
    const [onReplica] = await replicaSql<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend' and application_name <> 'dvmm-bench'`;
    const routed = await readRouting(instances[1]!);
    console.log(
      `3. queries from one instance at ${settings.connections} connections (${settings.requests} requests in the database, ` +
        `${settings.rounds} × ${settings.seconds} s each, alternated), reads on the primary vs DATABASE_READ_URL on a streaming replica:`,
    );
    if (onReplica!.count === 0) {
      console.log('   NOTE: the instance given DATABASE_READ_URL opened no connection to the replica: both columns read the primary');
    }
    if (routed) console.log(`   where the instance with DATABASE_READ_URL sent its reads (its /metrics): ${routed}`);
    for (const kind of Object.keys(kinds)) {
      const cells = [0, 1].map((which) => {
        const total = results.get(`${kind}|${which}`)!;
        const usage = total.usage!;
        const failed = total.failures > 0 ? `, ${total.failures} failed: ${total.firstFailure}` : '';
        const cpu = cpuPer(usage, total.sent, total.replica);
        return (
          `${instances[which]!.name}: ${(total.done / total.seconds).toFixed(0)}/s${failed}; CPU per query: instance ` +
          `${((usage.instances[0]! * 1e6) / Math.max(1, total.sent)).toFixed(0)} us, primary ${((usage.postgres * 1e6) / Math.max(1, total.sent)).toFixed(0)} us, ` +
          `replica ${((total.replica * 1e6) / Math.max(1, total.sent)).toFixed(0)} us, load generator ${cpu.clients.toFixed(0)} us ` +
          `(${coreCount()} cores to itself: at most ~${cpu.ceiling.toFixed(0)}/s)\n         cores busy: ` +
          describeUsage(usage, ['this instance', 'the other'], 'primary', [['replica', total.replica]])
        );
      });
      console.log(`   ${kind}:\n      ${cells.join('\n      ')}`);
    }
    const perQuery = (which: number) => {
      const totals = Object.keys(kinds).map((kind) => results.get(`${kind}|${which}`)!);
      const sent = totals.reduce((sum, total) => sum + total.sent, 0);
      const seconds = (pick: (total: (typeof totals)[number]) => number) => totals.reduce((sum, total) => sum + pick(total), 0);
      return {
        instance: (seconds((total) => total.usage!.instances[0]!) * 1e6) / sent,
        primary: (seconds((total) => total.usage!.postgres) * 1e6) / sent,
        replica: (seconds((total) => total.replica) * 1e6) / sent,
      };
    };
    const [onPrimary, withReplica] = [perQuery(0), perQuery(1)];
    console.log(
      `   bound: per query (both kinds), the instance used ${onPrimary.instance.toFixed(0)} / ${withReplica.instance.toFixed(0)} us ` +
        `and the databases ${(onPrimary.primary + onPrimary.replica).toFixed(0)} / ${(withReplica.primary + withReplica.replica).toFixed(0)} us ` +
        `(primary ${onPrimary.primary.toFixed(0)} -> ${withReplica.primary.toFixed(0)} us, replica ${onPrimary.replica.toFixed(0)} -> ${withReplica.replica.toFixed(0)} us)` +
        `${onPrimary.instance > onPrimary.primary ? ': the API process, not the database, is most of the cost, and on one machine a replica takes its CPU from the same cores' : ''}`,
    );
  } finally {
    for (const instance of instances) await instance.stop();
    await primarySql?.end({ timeout: 5 });
    await replicaSql?.end({ timeout: 5 });
    await pair.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const db = await benchDatabase(4);
  console.log(
    `bench/scale: ${describeServer(db.url)}, ${coreCount()} cores, load average ${loadAverages()} at the start; ` +
      `${settings.subscribers} subscribers, ${settings.connections} connections, ${settings.seconds} s per part, ${settings.rounds} round(s)`,
  );
  const instances: Instance[] = [];
  const clients = Array.from({ length: INSTANCES }, () => new ClientProcess());
  try {
    try {
      for (let i = 0; i < INSTANCES; i++) instances.push(await startInstance(`instance ${i + 1}`, { databaseUrl: db.url, poolMax: POOL_MAX, secrets }));
      const commands = createCommandHandlers(createEventStore(db.sql));
      const tenant = await setUpTenant(commands);
      await caughtUp(db.sql);
      if (settings.phases.has('fanout')) await fanout(instances, clients, commands, tenant, db.sql);
      if (settings.phases.has('mutations')) await mutationScaling(instances, clients[0]!, tenant, db.sql);
    } finally {
      for (const instance of instances) await instance.stop();
      await db.close();
    }
    if (settings.phases.has('queries')) await queryScaling(clients);
  } finally {
    for (const client of clients) client.stop();
  }
  console.log(`bench/scale: load average ${loadAverages()} at the end`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
