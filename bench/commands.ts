/**
 * createVmRequest commands in this process (no HTTP, no GraphQL) at 32 concurrent callers on the service's pool,
 * round after round, beside plain event-store appends: CPU per command in Node and Postgres for each round. A
 * figure that rises from round to round is a leak in the write path; this is how postgres.js's growing connection
 * queue was found (see src/db/patch-postgres-queue.mjs).
 *
 *   npm run bench -- commands      (or: npx tsx bench/commands.ts [rounds] [seconds per round])
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createCommandHandlers } from '../src/commands/index.ts';
import { createSql, DEFAULT_POOL_MAX } from '../src/db/client.ts';
import type { Principal } from '../src/domain/index.ts';
import { createEventStore } from '../src/event-store/index.ts';
import { cpuMeter } from './support/cpu.ts';
import { benchDatabase, describeServer, type BenchDatabase } from './support/database.ts';

const WORKERS = 32;

export async function benchCommands(db: BenchDatabase, rounds: number, seconds: number): Promise<void> {
  const sql = createSql(db.url, { max: DEFAULT_POOL_MAX, applicationName: 'dvmm-bench-commands' });
  const store = createEventStore(sql);
  const commands = createCommandHandlers(store);
  try {
    const admin: Principal = { tenantId: 'bench', userId: 'admin', roles: ['admin'] };
    const projects: string[] = [];
    for (let p = 0; p < WORKERS; p++) {
      const created = await commands.createProject(admin, { name: `Bench ${p}` });
      if (!created.ok) throw new Error(created.error.message);
      projects.push(created.value.id);
      const added = await commands.addProjectMember(admin, { projectId: created.value.id, userId: `user-${p}`, role: 'MEMBER' });
      if (!added.ok) throw new Error(added.error.message);
    }
    let seq = 0;
    const create = async (worker: number) => {
      const principal: Principal = { tenantId: 'bench', userId: `user-${worker}`, roles: ['user'] };
      const input = { projectId: projects[worker]!, vmName: `vm-${seq++}`, size: 'M', justification: 'Command benchmark request' };
      const result = await commands.createVmRequest(principal, input);
      if (!result.ok) throw new Error(result.error.message);
    };
    const append = () =>
      store.append(randomUUID(), 'no_stream', [{ type: 'VmRequestCreated', data: { projectId: randomUUID(), vmName: 'web-01', size: 'M', justification: 'Command benchmark request', requester: { id: 'bench', email: null, name: null } } }], {
        streamType: 'VmRequest',
        tenantId: 'bench',
        metadata: { tenantId: 'bench', userId: 'bench', correlationId: randomUUID(), causationId: null, commandId: randomUUID(), occurredAt: new Date().toISOString() },
      });
    const run = async (label: string, once: (worker: number) => Promise<unknown>, ms: number, print: boolean) => {
      const cpu = await cpuMeter(db.sql);
      const started = performance.now();
      const deadline = started + ms;
      let count = 0;
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, worker) => {
          while (performance.now() < deadline) {
            await once(worker);
            count++;
          }
        }),
      );
      const used = cpu();
      const rate = count / ((performance.now() - started) / 1000);
      if (print) {
        console.log(
          `${label.padEnd(22)} ${rate.toFixed(0).padStart(6)}/s  CPU per operation: Node ${((used.node * 1e6) / count).toFixed(0).padStart(4)} us, ` +
            `Postgres ${((used.postgres * 1e6) / count).toFixed(0).padStart(4)} us`,
        );
      }
    };
    await run('warm-up', create, 1000, false);
    await run('warm-up', append, 1000, false);
    await run('store.append', append, seconds * 1000, true);
    for (let round = 1; round <= rounds; round++) await run(`createVmRequest #${round}`, create, seconds * 1000, true);
  } finally {
    await store.flush();
    await sql.end({ timeout: 5 });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const rounds = Number(process.argv[2] ?? 6);
  const seconds = Number(process.argv[3] ?? 5);
  const db = await benchDatabase();
  console.log(`bench/commands: ${describeServer(db.url)}, ${WORKERS} concurrent callers, pool of ${DEFAULT_POOL_MAX}, ${rounds} rounds of ${seconds} s`);
  try {
    await benchCommands(db, rounds, seconds);
  } finally {
    await db.close();
  }
}
