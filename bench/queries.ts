/**
 * Queries per second at 16 keep-alive connections, on one table of 2,000 VM requests made through the real commands
 * and projector, from three servers in this process taking turns (one at a time, the others idle):
 *   - DVMM's HTTP server, as an admin: its authentication, visibility and GraphQL execution;
 *   - PostGraphile 4 in library mode (default inflection, no auth) on the same database and table;
 *   - the same SELECT sent through postgres.js directly, behind a bare node:http handler.
 * Two queries: `vmRequests(first: 20)` (newest first) and `vmRequest(id)` over all 2,000 ids. Each server is run
 * in turn (DVMM, PostGraphile, SQL, then again), and the ratios are taken within a round. The clients run in a
 * child process (bench/scale-clients.ts), so their CPU sits on no server's event loop; the CPU this process used
 * per query is printed beside each rate (Postgres's is left out: other work may share the server).
 *
 *   npm run bench -- queries      (or: npx tsx bench/queries.ts [rounds] [seconds per run])
 *
 * BENCH_QUERIES_SERVERS=DVMM runs only the servers named (comma-separated), e.g. under `node --cpu-prof`.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createCommandHandlers } from '../src/commands/index.ts';
import { DEFAULT_POOL_MAX, type Sql } from '../src/db/client.ts';
import type { Principal } from '../src/domain/index.ts';
import { createEventStore } from '../src/event-store/index.ts';
import { mintToken } from '../src/http/auth.ts';
import type { ScaleReply, ScaleTask } from './scale-clients.ts';
import { startBenchService } from './support/service.ts';
import { runsAsProductionMain } from './support/production.ts';
import { benchDatabase, describeServer, type BenchDatabase } from './support/database.ts';
import { startPostGraphile } from './support/postgraphile.ts';

const TENANT = 'bench';
const REQUESTS = 2000;
const CONNECTIONS = 16;
const PROJECTS = 20;

type Query = { body: string; token: string };
type Target = { name: string; url: string; list: Query[]; byId: Query[] };

/** 2,000 requests by 100 users in 20 projects, through createVmRequest, then projected. */
async function seed(sql: Sql): Promise<string[]> {
  const store = createEventStore(sql);
  const commands = createCommandHandlers(store);
  const admin: Principal = { tenantId: TENANT, userId: 'admin', roles: ['admin'] };
  const projectIds: string[] = [];
  for (let p = 0; p < PROJECTS; p++) {
    const created = await commands.createProject(admin, { name: `Bench ${p}` });
    if (!created.ok) throw new Error(created.error.message);
    projectIds.push(created.value.id);
  }
  const users = Array.from({ length: 100 }, (_, i) => `user-${i}`);
  for (let i = 0; i < users.length; i++) {
    const added = await commands.addProjectMember(admin, { projectId: projectIds[i % PROJECTS]!, userId: users[i]!, role: 'MEMBER' });
    if (!added.ok) throw new Error(added.error.message);
  }
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const principal: Principal = { tenantId: TENANT, userId: users[i % users.length]!, roles: ['user'] };
      const input = { projectId: projectIds[i % PROJECTS]!, vmName: `vm-${i}`, size: 'M', justification: 'Query benchmark request' };
      const created = await commands.createVmRequest(principal, input);
      if (!created.ok) throw new Error(created.error.message);
      ids.push(created.value.id);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await store.flush();
  return ids;
}

const listen = async (server: http.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
};

/** The SELECTs DVMM's two queries need, through postgres.js (prepared), answered as JSON by node:http. */
async function startPlainSql(sql: Sql): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string };
        const rows = id
          ? await sql`select id, vm_name, status, version from vm_requests where id = ${id} and tenant_id = ${TENANT}`
          : await sql`select id, vm_name, status, version from vm_requests where tenant_id = ${TENANT}
                      order by created_at desc, id desc limit 20`;
        const body = JSON.stringify({ data: { rows } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
    });
  });
  return { url: await listen(server), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function benchQueries(db: BenchDatabase, rounds: number, seconds: number): Promise<void> {
  const { sql, projector, server: dvmm, secret, stop } = await startBenchService(db.url, 'dvmm-bench-queries');
  const clients = fork(fileURLToPath(new URL('./scale-clients.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = (task: ScaleTask): Promise<Extract<ScaleReply, { kind: 'rate' }>> =>
    new Promise((resolve, reject) => {
      clients.once('message', (reply: ScaleReply) => {
        if (reply.kind === 'rate') resolve(reply);
        else reject(new Error(reply.kind === 'error' ? reply.message : `unexpected reply ${reply.kind}`));
      });
      clients.send(task);
    });
  let postgraphileServer: Awaited<ReturnType<typeof startPostGraphile>> | undefined;
  let plain: Awaited<ReturnType<typeof startPlainSql>> | undefined;
  try {
    const started = performance.now();
    const ids = await seed(sql);
    await projector.caughtUp();
    console.log(`${REQUESTS} requests made and projected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const token = await mintToken({ sub: 'admin', tenant: TENANT, roles: ['admin'] }, { secret });
    postgraphileServer = await startPostGraphile(db.url, DEFAULT_POOL_MAX);
    plain = await startPlainSql(sql);
    const fields = 'id vmName status version';
    const gql = (query: string, variables?: unknown): Query => ({ body: JSON.stringify({ query, variables }), token });
    const targets: Target[] = [
      {
        name: 'DVMM',
        url: dvmm.url,
        list: [gql(`{ vmRequests(first: 20) { edges { node { ${fields} } } } }`)],
        byId: ids.map((id) => gql(`query($id: ID!) { vmRequest(id: $id) { ${fields} } }`, { id })),
      },
      {
        name: 'PostGraphile',
        url: postgraphileServer.url,
        list: [
          gql(
            `{ allVmRequests(first: 20, orderBy: [CREATED_AT_DESC, ID_DESC], condition: { tenantId: "${TENANT}" }) { nodes { ${fields} } } }`,
          ),
        ],
        byId: ids.map((id) => gql(`query($id: UUID!) { vmRequestById(id: $id) { ${fields} } }`, { id })),
      },
      {
        name: 'SQL',
        url: plain.url,
        list: [{ body: '{}', token }],
        byId: ids.map((id) => ({ body: JSON.stringify({ id }), token })),
      },
    ];
    const only = process.env.BENCH_QUERIES_SERVERS?.split(',');
    const running = only ? targets.filter((target) => only.includes(target.name)) : targets;
    console.log(`load average before: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    for (const kind of ['list', 'byId'] as const) {
      const label = kind === 'list' ? 'vmRequests(first: 20)' : 'vmRequest(id)';
      for (let round = 1; round <= rounds; round++) {
        const rates: number[] = [];
        const figures: string[] = [];
        for (const target of running) {
          const cpu = process.cpuUsage();
          const reply = await ask({ kind: 'queries', urls: [target.url], connections: CONNECTIONS, seconds, queries: target[kind] });
          const used = process.cpuUsage(cpu);
          if (reply.failures > 0) throw new Error(`${target.name} ${label}: ${reply.failures} failed, first: ${reply.firstFailure}`);
          rates.push(reply.perSecond);
          // CPU and count both span the run's second of warm-up (the rate leaves it out).
          figures.push(`${target.name} ${reply.perSecond.toFixed(0).padStart(5)}/s (${((used.user + used.system) / reply.count).toFixed(0)} us)`);
        }
        const [ours, graphile, plainRate] = rates as [number, number, number];
        const ratios = running === targets ? `   DVMM/PostGraphile ${(ours / graphile).toFixed(2)}x  DVMM/SQL ${((100 * ours) / plainRate).toFixed(0)} %` : '';
        console.log(`${label.padEnd(22)} #${round}  ${figures.join('  ')}${ratios}`);
      }
    }
    console.log(`load average after: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  } finally {
    clients.send({ kind: 'exit' });
    await postgraphileServer?.close();
    await plain?.close();
    await stop();
  }
}

// Run as the Dockerfile runs the server (see runsAsProductionMain).
if (runsAsProductionMain(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 2);
  const seconds = Number(process.argv[3] ?? 5);
  const db = await benchDatabase();
  console.log(
    `bench/queries: ${describeServer(db.url)}, ${REQUESTS} requests, ${CONNECTIONS} connections, ${rounds} rounds of ${seconds} s per server; (CPU of this process per query)`,
  );
  try {
    await benchQueries(db, rounds, seconds);
  } finally {
    await db.close();
  }
}
