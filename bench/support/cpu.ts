import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from '../../src/db/client.ts';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function ticks(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces) start at state; utime and stime are 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // exited
  }
}

/** CPU seconds (user + system) another process on this machine has used so far; 0 once it has exited. */
export const cpuSecondsOf = (pid: number): number => ticks(pid) / TICKS_PER_SECOND;

function parentOf(pid: number): number {
  try {
    const match = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by this Node process and by the Postgres server `sql` talks to (postmaster and all its
 * children), when that server runs on this machine. On a machine shared with other work, rates in events per
 * CPU-second say more about the code than wall-clock rates, which depend on how much of the CPU it was given.
 */
export async function cpuMeter(sql: Sql): Promise<() => { node: number; postgres: number }> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const postmaster = parentOf(row!.pid);
  const serverTicks = (): number => {
    if (!postmaster) return Number.NaN;
    let total = ticks(postmaster);
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (Number.isInteger(pid) && pid > 0 && parentOf(pid) === postmaster) total += ticks(pid);
    }
    return total;
  };
  const node0 = process.cpuUsage();
  const server0 = serverTicks();
  return () => {
    const node = process.cpuUsage(node0);
    return { node: (node.user + node.system) / 1e6, postgres: (serverTicks() - server0) / TICKS_PER_SECOND };
  };
}
