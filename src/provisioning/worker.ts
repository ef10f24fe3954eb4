import { isConnectionError } from '../db/connection-errors.ts';
import { outageLog } from '../db/outage-log.ts';
import { backoffMs } from './backoff.ts';
import { isHypervisorError } from './hypervisor.ts';
import type { JobLocks } from './job-locks.ts';
import { LostJobLockError } from './job-locks.ts';
import { agenda, type JobOutcome, loadDueJob, type ProvisioningJob, postpone } from './jobs.ts';
import { type JobDeps, runJob } from './run-job.ts';
import { runLifecycleJob } from './run-lifecycle-job.ts';
import { isAborted } from './sleep.ts';

export type WorkerDeps = Omit<JobDeps, 'fence' | 'signal'> & { locks: JobLocks };

export interface WorkerStatus {
  /** Requests this process is driving right now. */
  running: string[];
  finished: {
    ready: number;
    failed: number;
    skipped: number;
    /** VM operations after READY: done (powered off or on), failed for good, decommissioned. */
    operationsDone: number;
    operationsFailed: number;
    decommissioned: number;
  };
  retriesScheduled: number;
  /** Runs that found the hypervisor still refusing to delete a FAILED request's VM (job CLEANUP, tried again later). */
  cleanupsPostponed: number;
  /** Runs interrupted by an outage of our own (database, lost lock, bug); each is run again later. */
  interruptions: number;
  lastError: { requestId: string; message: string; at: Date } | null;
}

const FINISHED_KEY = {
  READY: 'ready',
  FAILED: 'failed',
  SKIPPED: 'skipped',
  DONE: 'operationsDone',
  OPERATION_FAILED: 'operationsFailed',
  DECOMMISSIONED: 'decommissioned',
} as const satisfies Record<JobOutcome, keyof WorkerStatus['finished']>;

export interface Worker {
  /** Look for due jobs now (e.g. after the projection inserted some). */
  wake(): void;
  /** The locks of these jobs are gone (the lock connection closed): stop driving them now, another may take them. */
  lost(requestIds: readonly string[]): void;
  stop(): Promise<void>;
  status(): WorkerStatus;
  /** When the loop last looked for jobs, successfully or not (for /ready: it must keep going round). */
  lastLoopAt(): number;
  /** True while looking for jobs fails (the database cannot be reached). */
  failing(): boolean;
}

/** Longest pause between attempts to look for jobs while that fails. */
const FAILING_POLL_MAX_MS = 2_000;

/**
 * Runs due jobs, up to `concurrency` at a time, each under its advisory lock, so that across all processes one
 * job has at most one driver. Looks for work every pollIntervalMs, when woken, when a job ends, and when the next
 * scheduled retry falls due.
 */
export function startWorker(deps: WorkerDeps): Worker {
  const { sql, locks, options, log } = deps;
  const abort = new AbortController();
  const running = new Map<string, Promise<void>>();
  /** Per running job: aborting it stops that job alone (its lock is gone). */
  const jobAborts = new Map<string, AbortController>();
  const lookOutage = outageLog(log, 'looking for provisioning jobs');
  let loopAt = Date.now();
  /** Local back-off after an outage, for when the database could not record it. */
  const notBefore = new Map<string, number>();
  const status: WorkerStatus = {
    running: [],
    finished: { ready: 0, failed: 0, skipped: 0, operationsDone: 0, operationsFailed: 0, decommissioned: 0 },
    retriesScheduled: 0,
    cleanupsPostponed: 0,
    interruptions: 0,
    lastError: null,
  };
  let stopped = false;
  let wakeUp: (() => void) | null = null;

  const wake = () => {
    wakeUp?.();
    wakeUp = null;
  };

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const drive = async (job: ProvisioningJob): Promise<void> => {
    const id = job.requestId;
    const jobAbort = new AbortController();
    jobAborts.set(id, jobAbort);
    try {
      const signal = AbortSignal.any([abort.signal, jobAbort.signal]);
      const run = job.kind === 'PROVISION' ? runJob : runLifecycleJob;
      const result = await run({ ...deps, fence: () => locks.assertHeld(id), signal }, job);
      if (result.kind === 'retry-scheduled') status.retriesScheduled++;
      else if (result.kind === 'cleanup-pending') status.cleanupsPostponed++;
      else status.finished[FINISHED_KEY[result.outcome]]++;
      notBefore.delete(id);
    } catch (error) {
      if (isAborted(error) && !jobAbort.signal.aborted) return;
      status.interruptions++;
      const message = jobAbort.signal.aborted ? new LostJobLockError(id).message : error instanceof Error ? error.message : String(error);
      status.lastError = { requestId: id, message, at: new Date() };
      // An outage interrupts every running job alike; lookOutage logs it once.
      if (!isConnectionError(error)) log(`request ${id}: interrupted (${message}); will run again`);
      if (jobAbort.signal.aborted) return;
      // Lost lock: someone else may be driving it now; leave the row alone.
      if (error instanceof LostJobLockError) return;
      // A failed compensation waits like a retry; anything else is our own outage and waits the base delay.
      const delay = isHypervisorError(error) ? backoffMs(job.attempt, options) : options.backoffMs;
      notBefore.set(id, Date.now() + delay);
      await postpone(sql, job, delay).catch(() => {});
    } finally {
      jobAborts.delete(id);
      await locks.unlock(id).catch(() => {});
      running.delete(id);
      wake();
    }
  };

  /** Starts what is due; returns in how many ms the next waiting job falls due. */
  const fill = async (): Promise<number | null> => {
    let free = options.concurrency - running.size;
    if (free <= 0) return null;
    const { due, nextDueInMs } = await agenda(sql, options.concurrency * 4 + running.size);
    for (const id of due) {
      if (free <= 0 || stopped) break;
      if (running.has(id) || (notBefore.get(id) ?? 0) > Date.now()) continue;
      if (!(await locks.tryLock(id))) continue;
      const job = await loadDueJob(sql, id).catch(() => null);
      if (!job || stopped) {
        await locks.unlock(id);
        continue;
      }
      running.set(id, drive(job));
      free--;
    }
    return nextDueInMs;
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      let nextDueInMs: number | null = null;
      try {
        nextDueInMs = await fill();
        failures = 0;
        lookOutage.recovered();
      } catch (error) {
        failures++;
        lookOutage.failed(error);
      }
      loopAt = Date.now();
      if (stopped) break;
      // While the database cannot be reached, look less often (doubling, up to 2 s): it is retried, never given up.
      await idle(
        failures === 0
          ? Math.min(options.pollIntervalMs, nextDueInMs ?? Infinity)
          : Math.min(Math.max(FAILING_POLL_MAX_MS, options.pollIntervalMs), options.pollIntervalMs * 2 ** (failures - 1)),
      );
    }
  })();

  return {
    wake,
    lost(requestIds) {
      for (const id of requestIds) jobAborts.get(id)?.abort(new LostJobLockError(id));
    },
    lastLoopAt: () => loopAt,
    failing: () => lookOutage.down,
    status: () => ({ ...status, finished: { ...status.finished }, running: [...running.keys()] }),
    async stop() {
      stopped = true;
      abort.abort();
      wake();
      await loop;
      await Promise.allSettled(running.values());
    },
  };
}
