import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));
/** A lock file still empty after this long was left by a process killed between creating and writing it. */
const EMPTY_LOCK_STALE_MS = 1_000;

/**
 * Runs `fn` while holding `lockFile` (created exclusively, holding our pid), so that several processes sharing one
 * simulator file change it one at a time. Synchronous because the simulator's state is: its critical sections are a
 * read and a write of one small file. A lock whose owner died (SIGKILL in a drill) is broken: its pid no longer runs.
 * Breaking is check-then-unlink, so two processes breaking the same dead lock at that very moment could both go on;
 * a simulator whose processes die only in drills can live with that rare window.
 */
export function withFileLock<T>(lockFile: string, fn: () => T, timeoutMs = 10_000): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fd = tryCreate(lockFile);
    if (fd !== null) {
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      break;
    }
    if (isStale(lockFile)) {
      unlinkQuietly(lockFile);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`simulator state: ${lockFile} held for more than ${timeoutMs} ms`);
    Atomics.wait(pause, 0, 0, 2);
  }
  try {
    return fn();
  } finally {
    unlinkQuietly(lockFile);
  }
}

function tryCreate(lockFile: string): number | null {
  try {
    return openSync(lockFile, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
}

function isStale(lockFile: string): boolean {
  let owner: string;
  let modifiedAt: number;
  try {
    owner = readFileSync(lockFile, 'utf8');
    modifiedAt = statSync(lockFile).mtimeMs;
  } catch {
    return false; // released meanwhile: the next try takes it
  }
  const pid = Number(owner);
  if (owner === '' || !Number.isInteger(pid) || pid <= 0) return Date.now() - modifiedAt > EMPTY_LOCK_STALE_MS;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
