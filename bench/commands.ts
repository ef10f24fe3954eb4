/**
 * createVmRequest commands in this process (no HTTP, no GraphQL) at 32 concurrent callers on the service's pool,
 * round after round, beside plain event-store appends: CPU per command in Node and Postgres for each round. A
 * figure that rises from round to round is a leak in the write path; this is how postgres.js's growing connection
 * queue was found (see patches/README.md).
 *
 *   npm run bench -- commands      (or: npx tsx bench/commands.ts [rounds] [seconds per round])
 */
import { pathToFileURL } from 'node:url';
import { createCommandHandlers } from '../src/commands/index.ts';
import { createSql, DEFAULT_POOL_MAX } from '../src/db/client.ts';
import type { Principal } from '../src/domain/index.ts';
import { createEventStore } from '../src/event-store/index.ts';
import { appendOneRequest, run } from './append.ts';
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
    const append = appendOneRequest(store);
    const measure = async (label: string, once: (worker: number) => Promise<unknown>) => {
      const cpu = await cpuMeter(db.sql);
      const { perSecond, count } = await run(WORKERS, seconds, once);
      const used = cpu();
      console.log(
        `${label.padEnd(22)} ${perSecond.toFixed(0).padStart(6)}/s  CPU per operation: Node ${((used.node * 1e6) / count).toFixed(0).padStart(4)} us, ` +
          `Postgres ${((used.postgres * 1e6) / count).toFixed(0).padStart(4)} us`,
      );
    };
    await run(WORKERS, 1, create); // warm-up
    await run(WORKERS, 1, append);
    await measure('store.append', append);
    for (let round = 1; round <= rounds; round++) await measure(`createVmRequest #${round}`, create);
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
