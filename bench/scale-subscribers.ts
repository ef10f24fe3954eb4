/**
 * Idle subscribers on one instance: what each costs and how fast one change reaches them all. One real src/main.ts
 * process (production settings) and graphql-ws clients in child processes (bench/scale-clients.ts, up to 10,000
 * sockets each, each process from a 127.0.0.x of its own), all subscribed to vmRequestUpdated of one request. The
 * first `--step` subscribers have a socket each; the rest share sockets, `--per-socket` each, because a process may
 * not hold more sockets than its file limit (`ulimit -Hn`, 20,000 where this was written, and raising it needs
 * CAP_SYS_RESOURCE):
 *   - heap (after a full GC) and RSS per subscriber at the first step and at all of them, from the instance's
 *     figures with no subscriber, and from the two steps' shapes what a socket and what a subscription costs (so
 *     what a subscriber with a socket of its own costs at any count);
 *   - where that heap goes: two heap snapshots (none, and the first step) summed by constructor, per subscriber,
 *     grouped into the socket (ws, the TCP socket, the upgrade request), graphql-ws and the GraphQL context, and
 *     the subscription's live state (stream, mailbox, iterators);
 *   - one approval: when each subscriber had it (first, p50, p99, last) from the moment it was sent, and the
 *     instance's CPU meanwhile.
 *
 * The instance runs the service compiled as production runs it (support/build.ts), unless --tsx.
 *
 *   npx tsx bench/scale-subscribers.ts [--subscribers 100000] [--step 10000] [--per-socket 10] [--no-breakdown]
 *                                      [--save-snapshots folder] [--tsx]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createCommandHandlers } from '../src/commands/index.ts';
import type { Principal } from '../src/domain/index.ts';
import { createEventStore } from '../src/event-store/index.ts';
import { mintToken } from '../src/http/auth.ts';
import { buildService, removeBuild } from './support/build.ts';
import { caughtUp } from './support/caught-up.ts';
import { ClientProcess } from './support/client-process.ts';
import { cpuSecondsOf } from './support/cpu.ts';
import { benchDatabase, describeServer, percentile } from './support/database.ts';
import { cpuProfile, heapGrowth, heapSummary, type HeapSummary } from './support/heap-summary.ts';
import { benchSecrets, startInstance } from './support/instances.ts';
import { coreCount, loadAverages } from './support/machine.ts';
import { approveOnce, RawHttpConnection } from './support/raw-http.ts';

const { values: flags } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '100000' },
    step: { type: 'string', default: '10000' },
    'per-socket': { type: 'string', default: '10' },
    'no-breakdown': { type: 'boolean', default: false },
    /** Run src/main.ts through tsx (`npm start`) instead of the compiled service (`npm run start:prod`). */
    tsx: { type: 'boolean', default: false },
    /** Keep the two heap snapshots in this folder (as none.heapsnapshot and step.heapsnapshot). */
    'save-snapshots': { type: 'string' },
    /** Write the instance's CPU profile of the fan-out to this file (.cpuprofile, for DevTools). */
    profile: { type: 'string' },
  },
});
/** Sockets one client process opens: its file limit is 20,000 here. */
const PER_PROCESS = 10_000;
const total = Number(flags.subscribers);
const step = Math.min(total, Number(flags.step));
const perSocket = Number(flags['per-socket']);
/** Sockets per client process after the first step: several processes, so no one client's CPU paces the fan-out. */
const SHARED_PER_PROCESS = 2_500;
const TENANT = 'bench-subscribers';
const admin: Principal = { tenantId: TENANT, userId: 'admin', roles: ['admin'] };
const snapshotPath = (name: string): string | undefined => (flags['save-snapshots'] ? join(flags['save-snapshots'], `${name}.heapsnapshot`) : undefined);
const KiB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Which part of a subscriber a constructor belongs to, where its name says so. Plain objects, strings, arrays,
 * anonymous closures and their contexts serve every part alike and are summed apart; the two steps' shapes (a socket
 * each, then several subscriptions per socket) split the whole between socket and subscription exactly.
 */
const PARTS: [string, RegExp][] = [
  [
    'socket (ws, TCP socket and buffers, timers, listeners)',
    /^(WebSocket|Receiver|Sender|Socket|TCP|TCPWrap|Node \/ TCPSocketWrap|\(synthetic\)|IncomingMessage|ReadableState|WritableState|Timeout|Buffer|FastBuffer|ArrayBuffer|system \/ JSArrayBufferData|closure native_bind|closure (onSocket\w*|socketOn\w*|receiver\w*|emitClose|onwrite|onPong|onClose|onClosed))$/,
  ],
  [
    'graphql-ws, yoga and the GraphQL context (iterator chain, promises, caches)',
    /^(Generator|Promise|\(hidden\) system \/ PromiseReaction|Map|Set|RequestCache|closure (onSubscribeResult|onSubscribeError|next|return|throw|onMessage|send|close|complete|error|subscribeFn|mapResult|ensureIterator))$/,
  ],
  ['live subscription (stream, mailbox, iterator, socket writer)', /^(BufferedChangeStream|PullIterator|GrowingBuffer|StreamOptions|RequestWatch|ChangesWatch|SharedResults|SocketStream|SocketAdapter)$/],
];
const UNATTRIBUTED = 'shared by all parts (plain objects, strings, arrays, closures and their contexts, code)';

async function main(): Promise<void> {
  const db = await benchDatabase(4);
  const secrets = benchSecrets();
  console.log(
    `bench/scale-subscribers: ${describeServer(db.url)}, ${coreCount()} cores, load average ${loadAverages()} at the start; ` +
      `${total} subscribers on one instance, ${flags.tsx ? 'src/main.ts through tsx' : 'compiled as production runs it'}`,
  );
  const sharedSockets = Math.ceil((total - step) / perSocket);
  const main = flags.tsx ? undefined : buildService();
  const instance = await startInstance('instance', { databaseUrl: db.url, poolMax: 16, secrets, main });
  const clients = Array.from({ length: Math.ceil(step / PER_PROCESS) + Math.ceil(sharedSockets / SHARED_PER_PROCESS) + 1 }, () => new ClientProcess());
  try {
    const commands = createCommandHandlers(createEventStore(db.sql));
    const project = await commands.createProject(admin, { name: 'Subscribers' });
    if (!project.ok) throw new Error(project.error.message);
    const target = await commands.createVmRequest(admin, { projectId: project.value.id, vmName: 'fanout-target', size: 'L', justification: 'Fan-out benchmark target' });
    if (!target.ok) throw new Error(target.error.message);
    await caughtUp(db.sql);
    const requestId = Buffer.from(`VmRequest:${target.value.id}`, 'utf8').toString('base64');
    const token = await mintToken({ sub: 'admin', tenant: TENANT, roles: ['admin'] }, { secret: secrets.jwtSecret });
    const approverToken = await mintToken({ sub: 'admin-2', tenant: TENANT, roles: ['admin'] }, { secret: secrets.jwtSecret });

    const breakdown = !flags['no-breakdown'];
    const none = await instance.memory();
    const noneHeap: HeapSummary | null = breakdown ? await heapSummary(instance.inspectorUrl, snapshotPath('none')) : null;
    /** Opens `socketCount` more sockets with `each` subscriptions, from the client processes not used yet. */
    let used = 0;
    const subscribe = async (socketCount: number, each: number, perProcess: number): Promise<void> => {
      const tasks: Promise<unknown>[] = [];
      for (let left = socketCount; left > 0; left -= perProcess) {
        const sockets = Math.min(perProcess, left);
        const address = `127.0.0.${10 + used}`;
        tasks.push(clients[used++]!.ask({ kind: 'subscribe', wsUrl: instance.wsUrl, token, requestId, sockets, perSocket: each, localAddress: address }, 'subscribed'));
      }
      await Promise.all(tasks);
    };
    const started = performance.now();
    await subscribe(step, 1, PER_PROCESS);
    const atStep = await instance.memory();
    const stepHeap = breakdown ? await heapSummary(instance.inspectorUrl, snapshotPath('step')) : null;
    // The last socket takes what is left, so the count is exact.
    if (total > step) {
      const full = Math.floor((total - step) / perSocket);
      await subscribe(full, perSocket, SHARED_PER_PROCESS);
      if (full < sharedSockets) await subscribe(1, total - step - full * perSocket, 1);
    }
    const subscribeSeconds = (performance.now() - started) / 1000;
    const atTotal = total > step ? await instance.memory() : atStep;

    const per = (after: { heapUsed: number; rss: number }, count: number) =>
      `heap ${KiB((after.heapUsed - none.heapUsed) / count)}, RSS ${KiB((after.rss - none.rss) / count)}`;
    const sockets = step + sharedSockets;
    // heap = sockets × socket + subscribers × subscription, and at the step (one each) socket + subscription:
    const both = (atStep.heapUsed - none.heapUsed) / step;
    const subscription = total > step && sockets < total ? (atTotal.heapUsed - none.heapUsed - sockets * both) / (total - sockets) : Number.NaN;
    console.log(
      `   ${total} subscribers on ${sockets} sockets (${step} with one subscription each, then ${perSocket} per socket); ` +
        `per socket ${KiB(both - subscription)}, per subscription ${KiB(subscription)} of heap: ` +
        `${total} subscribers with a socket each would hold ${KiB(both)} each  target <= 12 KiB: ${both <= 12 * 1024 ? 'ok' : 'MISSED'}`,
    );
    console.log(
      `   subscribing ${total} took ${subscribeSeconds.toFixed(0)} s; per subscriber (after a full GC, from the instance with none): ` +
        `at ${step} (a socket each): ${per(atStep, step)}; at ${total}: ${per(atTotal, total)}`,
    );
    if (noneHeap && stepHeap) {
      const rows = heapGrowth(noneHeap, stepHeap, step);
      const parts = new Map<string, number>();
      for (const row of rows) {
        const part = PARTS.find(([, pattern]) => pattern.test(row.key))?.[0] ?? UNATTRIBUTED;
        parts.set(part, (parts.get(part) ?? 0) + row.bytes);
      }
      const sum = rows.reduce((a, row) => a + row.bytes, 0);
      console.log(`   where a subscriber's heap goes (snapshots at 0 and ${step}, ${KiB(sum)} in all):`);
      for (const [part, bytes] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`      ${part}: ${KiB(bytes)}`);
      console.log(
        `      largest: ${rows
          .slice(0, 24)
          .map((row) => `${row.key} ${row.bytes.toFixed(0)} B (${row.count.toFixed(1)})`)
          .join(', ')}`,
      );
    }

    // A connection opened and used beforehand, so the time measured starts with the request, not a TCP handshake.
    const approver = new RawHttpConnection(new URL(instance.url));
    const header = [`Authorization: Bearer ${approverToken}`];
    await approver.post(JSON.stringify({ query: '{ __typename }' }), header);
    await sleep(500);
    const cpu0 = cpuSecondsOf(instance.pid);
    let start = 0;
    let answeredMs = 0;
    const approveAndCollect = async () => {
      start = epochNow();
      answeredMs = await approveOnce(approver, header, requestId);
      return Promise.all(clients.slice(0, used).map((client) => client.ask({ kind: 'collect', waitMs: 60_000 }, 'delivered')));
    };
    const replies = flags.profile ? await cpuProfile(instance.inspectorUrl, flags.profile, approveAndCollect) : await approveAndCollect();
    const cpu = cpuSecondsOf(instance.pid) - cpu0;
    approver.close();
    const times = replies.flatMap((reply) => reply.at.map((at) => at - start)).sort((a, b) => a - b);
    const ms = (value: number | undefined) => `${(value ?? Number.NaN).toFixed(0)} ms`;
    const last = times.at(-1) ?? Number.NaN;
    console.log(
      `   one approval (answered after ${ms(answeredMs)}): ${times.length}/${total} delivered, first ${ms(times[0])}, p50 ${ms(percentile(times, 50))}, ` +
        `p99 ${ms(percentile(times, 99))}, last ${ms(last)}; instance CPU until the last ${ms(cpu * 1000)}  ` +
        `target all <= 1500 ms at 100000: ${times.length === total && last <= 1500 && total >= 100_000 ? 'ok' : 'MISSED'}`,
    );
  } finally {
    for (const client of clients) client.stop();
    await instance.stop();
    if (main) removeBuild(main);
    await db.close();
  }
  console.log(`bench/scale-subscribers: load average ${loadAverages()} at the end`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
