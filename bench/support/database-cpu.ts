import type { Sql } from '../../src/db/client.ts';
import { cpuSecondsOf } from './cpu.ts';

/**
 * CPU seconds used by the server backends connected to `sql`'s database (the benchmark's own, created for it), from
 * when this is called to when the returned function is. On a Postgres server shared with other work, the whole
 * server's CPU (cpuMeter) mostly measures the others; this counts only the statements of this benchmark. It leaves
 * out what the server does for everyone (WAL writer, checkpointer, autovacuum workers) and a backend that exits
 * before the reading: call it before closing the pools.
 */
export async function databaseBackendsCpu(sql: Sql): Promise<() => Promise<number>> {
  const backends = async (): Promise<number[]> =>
    (await sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'`).map((r) => r.pid);
  const before = new Map((await backends()).map((pid) => [pid, cpuSecondsOf(pid)]));
  return async () => {
    let seconds = 0;
    for (const pid of await backends()) seconds += cpuSecondsOf(pid) - (before.get(pid) ?? 0);
    return seconds;
  };
}
