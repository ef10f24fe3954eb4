import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// A data folder can be left with a running postmaster whose owner was killed (kill -9, OOM killer, a closed
// terminal): the server outlives the Node process that spawned it and keeps the folder locked. Or it can be left with
// a postmaster.pid whose process is long gone and whose pid a different process may have taken since (common in
// containers, where pids are small and reused). These functions tell those cases apart.

export type PostmasterState =
  | { kind: 'none' }
  | { kind: 'stale'; pid: number }
  | { kind: 'running'; pid: number; parentPid: number | undefined };

/** Reads <dataDir>/postmaster.pid and checks whether that pid is a live postgres serving this folder. */
export function inspectPostmaster(dataDir: string): PostmasterState {
  let content: string;
  try {
    content = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return { kind: 'none' };
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return { kind: 'stale', pid: 0 };
  if (!isRunning(pid) || !isPostgres(pid)) return { kind: 'stale', pid };
  return { kind: 'running', pid, parentPid: parentPidOf(pid) };
}

/** Removes a postmaster.pid that no live server holds; Postgres refuses to start if its pid was reused. */
export function removeStalePidFile(dataDir: string): void {
  rmSync(join(dataDir, 'postmaster.pid'), { force: true });
}

/**
 * Stops a postmaster we do not own. SIGINT is Postgres's "fast shutdown": it rolls back open transactions and writes
 * a checkpoint, so the next start needs no recovery. SIGQUIT (immediate) and SIGKILL are the fallbacks.
 */
export async function stopPostmaster(pid: number, graceMs = 15_000): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGINT', graceMs],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    if (await waitForExit(pid, waitMs)) return;
  }
  throw new Error(`postgres (pid ${pid}) did not stop even after SIGKILL`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the postgres user, when we are not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Alive and not a zombie. A killed orphan is re-parented to pid 1, and in containers pid 1 is often a process that
 * never reaps children, so an exited postgres can linger as a zombie that kill(pid, 0) still finds.
 */
export function isRunning(pid: number): boolean {
  return isAlive(pid) && !isZombie(pid);
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}

function isPostgres(pid: number): boolean {
  const comm = readProc(pid, 'comm')?.trim() ?? psField(pid, 'comm');
  return comm !== undefined && /postgres/.test(comm);
}

function parentPidOf(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  // Fields after the "(comm)" part: state ppid ...; comm itself may contain spaces or parentheses.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number.parseInt(fields?.[1] ?? psField(pid, 'ppid') ?? '', 10);
  return Number.isSafeInteger(ppid) ? ppid : undefined;
}

function isZombie(pid: number): boolean {
  const stat = readProc(pid, 'stat');
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

// macOS has no /proc.
function psField(pid: number, field: 'comm' | 'ppid'): string | undefined {
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', `${field}=`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The port and status ("starting", "ready", "stopping", ...) a running postmaster wrote into postmaster.pid (lines 4
 * and 8), so another process can connect to it.
 */
export function readPostmasterPid(dataDir: string): { port: number | undefined; status: string | undefined } {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return { port: undefined, status: undefined };
  }
  const port = Number.parseInt(lines[3] ?? '', 10);
  return { port: Number.isSafeInteger(port) && port > 0 ? port : undefined, status: lines[7]?.trim() || undefined };
}
