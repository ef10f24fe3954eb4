/**
 * Replay only, side by side: seeds the log once (as bench/projector.ts does), then replays it from zero into every
 * read model several times, alternating between this checkout's projector and another copy of it (an older commit
 * unpacked elsewhere), emptying the read models and checkpoints between rounds. Both variants see the same events,
 * the same database and, round by round, nearly the same machine load.
 *
 *   npx tsx bench/projector-replay.ts [events] [rounds]
 *   BENCH_REPLAY_OTHER=/tmp/dvmm-old: the other variant's checkout (its src/projections/index.ts is imported);
 *     without it, only this checkout is measured.
 *   BENCH_REPLAY_BATCH=<events>: the projector's batchSize (default: its own); several (20000,5000): this checkout
 *     with each, side by side
 *   BENCH_REPLAY_STATEMENTS=1: prints each round's costliest statements (the server must preload pg_stat_statements;
 *     point BENCH_DATABASE_URL at such a server).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getTableName } from 'drizzle-orm';
import * as current from '../src/projections/index.ts';
import { seed } from './projector.ts';
import { cpuMeter } from './support/cpu.ts';
import { databaseBackendsCpu } from './support/database-cpu.ts';
import { benchDatabase, describeServer } from './support/database.ts';

type ProjectionsModule = typeof current;

const loadAverage = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

const [eventsArg, roundsArg] = process.argv.slice(2).map(Number);
const target = eventsArg || 200_000;
const rounds = roundsArg || 2;
const otherDir = process.env.BENCH_REPLAY_OTHER;
const batchSizes = (process.env.BENCH_REPLAY_BATCH ?? '').split(',').filter(Boolean).map(Number);
const variants: { label: string; module: ProjectionsModule; batchSize?: number }[] =
  batchSizes.length > 1
    ? batchSizes.map((batchSize) => ({ label: `batch ${batchSize}`, module: current, batchSize }))
    : [{ label: 'this checkout', module: current, batchSize: batchSizes[0] }];
if (otherDir) {
  const module = (await import(pathToFileURL(join(otherDir, 'src/projections/index.ts')).href)) as ProjectionsModule;
  variants.unshift({ label: otherDir, module, batchSize: batchSizes[0] });
}

const db = await benchDatabase();
console.log(`bench/projector-replay: ${describeServer(db.url)}`);
try {
  const statements = process.env.BENCH_REPLAY_STATEMENTS === '1';
  if (statements) await db.sql`create extension if not exists pg_stat_statements`;
  const events = await seed(db, target);
  await db.sql`vacuum analyze events`;
  const n = new Intl.NumberFormat('en-US');
  console.log(`seed      ${n.format(events)} events`);
  const tables = current.PROJECTIONS.flatMap((p) => p.tables).map((t) => `"${getTableName(t)}"`);
  for (let round = 0; round < rounds; round++) {
    for (const { label, module, batchSize } of variants) {
      await db.sql.unsafe(`truncate ${tables.join(', ')}`);
      await db.sql`delete from projection_checkpoints`;
      await db.sql`checkpoint`;
      if (statements) await db.sql`select pg_stat_statements_reset()`;
      const load0 = loadAverage();
      const cpu = await cpuMeter(db.sql);
      const backendsCpu = await databaseBackendsCpu(db.sql);
      const t0 = performance.now();
      const projector = await module.startProjector({ sql: db.sql, projections: module.PROJECTIONS, batchSize, log: () => {} });
      await projector.caughtUp();
      const seconds = (performance.now() - t0) / 1000;
      const used = cpu();
      const backends = await backendsCpu();
      await projector.stop();
      console.log(
        `round ${round + 1} ${label.padEnd(16)} ${n.format(Math.round(events / seconds)).padStart(7)} events/s ` +
          `(${seconds.toFixed(2)} s; Node ${(used.node * 1e6 / events).toFixed(1)} us/event, this database's backends ${(backends * 1e6 / events).toFixed(1)} us/event, ` +
          `whole server ${(used.postgres * 1e6 / events).toFixed(1)} us/event; ` +
          `load ${load0.toFixed(1)} -> ${loadAverage().toFixed(1)})`,
      );
      if (statements) {
        const top = await db.sql<{ ms: number; calls: number; rows: number; query: string }[]>`
          select round(total_exec_time)::int as ms, calls::int, rows::int, regexp_replace(left(query, 110), '[[:space:]]+', ' ', 'g') as query
          from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
          order by total_exec_time desc limit 12`;
        for (const row of top) console.log(`    ${String(row.ms).padStart(6)} ms ${String(row.calls).padStart(6)} calls ${String(row.rows).padStart(8)} rows  ${row.query}`);
      }
    }
  }
} finally {
  await db.close();
}
