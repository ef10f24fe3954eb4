import type postgres from 'postgres';
import { dedicatedConnection, withTimeout } from '../projections/connection.ts';

/** First key of the two-key advisory lock space ("DVMP"): keeps job locks apart from every other lock. */
export const JOB_LOCK_SPACE = 0x44564d50;

/** application_name of the job-lock connection, followed by host:pid: `projections status` finds workers by it. */
export const WORKER_APPLICATION_NAME = 'dvmm-provisioning';

/** The job's lock is gone (connection lost): stop touching the job, another process may own it now. */
export class LostJobLockError extends Error {
  override readonly name = 'LostJobLockError';
  constructor(readonly requestId: string) {
    super(`lost the lock on provisioning job ${requestId}`);
  }
}

export interface JobLocks {
  /** Takes the job's lock if nobody holds it; false when another process (or this one) works on it. */
  tryLock(requestId: string): Promise<boolean>;
  /** Releases the job's lock if the session that took it still holds it (after a lost connection there is none). */
  unlock(requestId: string): Promise<void>;
  /** Throws LostJobLockError unless this process still holds the job's lock, in the session that took it. */
  assertHeld(requestId: string): Promise<void>;
  /** A round trip on the lock connection within `timeoutMs` (for /ready); throws otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Who drives which job: a session-level advisory lock per job, all held on one dedicated connection (outside the
 * pool, never recycled for idleness or age).
 *
 * Fencing: each lock is remembered with the backend pid of the session that took it. When the connection closes
 * (the server restarted, the backend was terminated), every lock went with it: `onLost` hears of the jobs at once,
 * so the worker stops them before another process, polling, takes them over; assertHeld fails for them from then
 * on (a new session has another pid); and unlock leaves them alone, since the new session holds nothing to release.
 *
 * Why advisory locks and not SELECT ... FOR UPDATE SKIP LOCKED: a job runs for minutes, and a transaction kept open
 * that long (with the xid a row lock assigns) would hold back the snapshot horizon that gap-safe event readers wait
 * for. A session lock holds no transaction. When a process dies its connection closes and the server releases its
 * locks at once, so another process (or the restarted one) takes the job over where the events say it stands.
 * If the connection breaks while the process lives on, the next query reconnects with a new session that holds nothing:
 * assertHeld, called before every step that writes, notices and stops the job.
 * Advisory locks are re-entrant within a session, so the caller must not lock a job it already runs.
 */
export async function openJobLocks(
  sql: postgres.Sql,
  applicationName: string,
  onLost: (requestIds: string[]) => void = () => {},
): Promise<JobLocks> {
  /** requestId -> backend pid of the session holding its lock. */
  const held = new Map<string, number>();
  let closing = false;
  const connection = dedicatedConnection(sql, {
    applicationName,
    onclose: () => {
      const lost = [...held.keys()];
      held.clear();
      if (lost.length > 0 && !closing) onLost(lost);
    },
  });
  await connection`select 1`;
  const key = (requestId: string) => connection`${JOB_LOCK_SPACE}::int, hashtext(${requestId})`;
  return {
    async tryLock(requestId) {
      const [row] = await connection<{ locked: boolean; pid: number }[]>`
        select pg_try_advisory_lock(${key(requestId)}) as locked, pg_backend_pid() as pid`;
      if (row?.locked !== true) return false;
      // Should that session have ended since it answered, the pid is a dead one's and assertHeld fails the job.
      held.set(requestId, row.pid);
      return true;
    },
    async unlock(requestId) {
      const pid = held.get(requestId);
      if (pid === undefined) return;
      held.delete(requestId);
      await connection`select case when pg_backend_pid() = ${pid} then pg_advisory_unlock(${key(requestId)}) end`;
    },
    async assertHeld(requestId) {
      const pid = held.get(requestId);
      if (pid === undefined) throw new LostJobLockError(requestId);
      // hashtext is an int4 and pg_locks.objid an oid; the int4 -> oid cast wraps negatives the way the lock does.
      const [row] = await connection<{ held: boolean }[]>`
        select pg_backend_pid() = ${pid} and exists (
          select 1 from pg_locks
          where locktype = 'advisory' and pid = pg_backend_pid() and granted and objsubid = 2
            and classid = ${JOB_LOCK_SPACE}::int::oid and objid = hashtext(${requestId})::oid
        ) as held`;
      if (row?.held !== true) throw new LostJobLockError(requestId);
    },
    async ping(timeoutMs) {
      await withTimeout(connection`select 1`, timeoutMs);
    },
    async close() {
      closing = true;
      try {
        await connection`select pg_advisory_unlock_all()`;
      } catch {
        // The connection is gone, and its locks with it.
      }
      await connection.end({ timeout: 1 });
    },
  };
}
