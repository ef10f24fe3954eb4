import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from '../../src/db/client.ts';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces), from the state on; [] once exited. */
function statFields(pid: number): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

/** utime + stime of the process itself. */
const ownTicks = (fields: string[]): number => Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
/** cutime + cstime: what its exited children used, once it has waited for them. */
const reapedTicks = (fields: string[]): number => Number(fields[13] ?? 0) + Number(fields[14] ?? 0);

/**
 * CPU seconds the Postgres server behind `sql` (when it runs on this machine) has used from now until the returned
 * function is called: the postmaster, its live children, and the children that exited meanwhile (a backend whose
 * connection closed takes its CPU time with it from /proc, but the postmaster that reaps it inherits that time).
 * Summing live processes only would count a closed pool's work as negative.
 */
export async function postgresCpuMeter(sql: Sql): Promise<() => number> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const postmaster = Number(statFields(row!.pid)[1] ?? 0);
  const total = (): number => {
    const own = statFields(postmaster);
    if (own.length === 0) return Number.NaN;
    let ticks = ownTicks(own) + reapedTicks(own);
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      const fields = statFields(pid);
      if (Number(fields[1]) === postmaster) ticks += ownTicks(fields);
    }
    return ticks;
  };
  const start = total();
  return () => (total() - start) / TICKS_PER_SECOND;
}
