import { hostname } from 'node:os';
import type postgres from 'postgres';
import { createCommandHandlers } from '../commands/index.ts';
import type { EventStore } from '../event-store/index.ts';
import { startProjector } from '../projections/runtime.ts';
import type { ProjectionRuntimeStatus } from '../projections/types.ts';
import { DEFAULT_PROVISIONING_OPTIONS, type ProvisioningOptions } from './config.ts';
import type { Hypervisor } from './hypervisor.ts';
import { openJobLocks, WORKER_APPLICATION_NAME } from './job-locks.ts';
import { PROVISIONING_JOBS_PROJECTION, provisioningJobsProjection } from './jobs-projection.ts';
import type { ProvisioningCommands } from './run-job.ts';
import { type Reconciler, type ReconcilerStatus, startReconciler } from './reconcile.ts';
import { startWorker, type WorkerStatus } from './worker.ts';

export interface StartProvisioningOptions {
  sql: postgres.Sql;
  store: EventStore;
  /** The process's one set of command handlers, so provisioning shares its project cache. Default: a set over `store`. */
  commands?: ProvisioningCommands;
  hypervisor: Hypervisor;
  options?: Partial<ProvisioningOptions>;
  log?: (line: string) => void;
}

export interface ProvisioningStatus {
  hypervisor: string;
  /** This process runs the projection that turns approvals into jobs (one process does, the others stand by). */
  jobsProjection: ProjectionRuntimeStatus | null;
  worker: WorkerStatus;
  /** Null when PROVISIONING_RECONCILE_INTERVAL_MS is 0. */
  reconciliation: ReconcilerStatus | null;
}

export interface ProvisioningProcess {
  /** Lets running jobs stop at their next step (nothing half-recorded), releases every lock and connection. */
  stop(): Promise<void>;
  status(): ProvisioningStatus;
  /**
   * For /ready: the worker's loop keeps going round and finds the database, its lock connection answers, and its
   * jobs projection's connections answer (see Projector.check).
   */
  check(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
  /** Look for due jobs now. */
  wake(): void;
}

/**
 * The provisioning process of this instance: the `provisioning_jobs` projection (one leader across all instances,
 * checkpointed by the projector runtime), a worker that drives the jobs (provisioning, and the VM operations after
 * READY), and reconciliation (one leader across all instances; see reconcile.ts). Any number of instances may run: each
 * job is driven by one of them at a time (see job-locks.ts), and after a crash another one, or the restarted one,
 * carries on from the request's events.
 */
export async function startProvisioning(config: StartProvisioningOptions): Promise<ProvisioningProcess> {
  const { sql, store, hypervisor } = config;
  const options: ProvisioningOptions = { ...DEFAULT_PROVISIONING_OPTIONS, ...config.options };
  const logLine = config.log ?? ((line: string) => console.log(line));
  const log = (line: string) => logLine(`[provisioning] ${line}`);
  const commands = config.commands ?? createCommandHandlers(store);

  let worker: ReturnType<typeof startWorker> | null = null;
  const locks = await openJobLocks(sql, `${WORKER_APPLICATION_NAME} ${hostname()}:${process.pid}`, (lost) => {
    log(`lock connection lost: stopping ${lost.length} running job(s) at once; they run again under a new lock`);
    worker?.lost(lost);
  });
  worker = startWorker({ sql, store, commands, hypervisor, options, locks, log });
  let projector: Awaited<ReturnType<typeof startProjector>>;
  try {
    projector = await startProjector({
      sql,
      projections: [provisioningJobsProjection(() => setTimeout(worker.wake, 20).unref())],
      ...(options.projectorPollIntervalMs === undefined ? {} : { pollIntervalMs: options.projectorPollIntervalMs }),
      applicationName: `dvmm-provisioning-projector ${hostname()}:${process.pid}`,
      log: logLine,
    });
  } catch (error) {
    await worker.stop();
    await locks.close();
    throw error;
  }
  const reconciler: Reconciler | null =
    options.reconcileIntervalMs > 0
      ? startReconciler({ sql, store, commands, hypervisor, intervalMs: options.reconcileIntervalMs, log })
      : null;
  log(
    `started (${hypervisor.kind} hypervisor, up to ${options.concurrency} at a time, ${options.maxAttempts} attempts, ` +
      `${reconciler ? `reconciling every ${options.reconcileIntervalMs} ms` : 'no reconciliation'})`,
  );

  let stopping: Promise<void> | null = null;
  const started = worker;
  return {
    wake: worker.wake,
    async check(timeoutMs = 2_000) {
      if (stopping) return { ok: false, detail: 'stopped' };
      const problems: string[] = [];
      const quietMs = Date.now() - started.lastLoopAt();
      if (quietMs > Math.max(10_000, 5 * options.pollIntervalMs)) problems.push(`worker loop stuck for ${Math.round(quietMs / 1000)} s`);
      if (started.failing()) problems.push('looking for jobs fails');
      const [lock, jobs, reconciling] = await Promise.allSettled([
        locks.ping(timeoutMs),
        projector.check(timeoutMs),
        reconciler?.check(timeoutMs) ?? ({ ok: true } as { ok: boolean; detail?: string }),
      ]);
      if (lock.status === 'rejected') problems.push(`lock connection: ${(lock.reason as Error).message}`);
      if (reconciling.status === 'fulfilled' && !reconciling.value.ok) problems.push(reconciling.value.detail ?? 'reconciliation');
      if (reconciling.status === 'rejected') problems.push(`reconciliation: ${(reconciling.reason as Error).message}`);
      if (jobs.status === 'fulfilled' && !jobs.value.ok) problems.push(`jobs projection: ${jobs.value.detail}`);
      if (jobs.status === 'rejected') problems.push(`jobs projection: ${(jobs.reason as Error).message}`);
      return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
    },
    status: () => ({
      hypervisor: hypervisor.kind,
      jobsProjection: projector.status().projections.find((p) => p.name === PROVISIONING_JOBS_PROJECTION) ?? null,
      worker: worker.status(),
      reconciliation: reconciler?.status() ?? null,
    }),
    stop: () =>
      (stopping ??= (async () => {
        await reconciler?.stop();
        await projector.stop();
        await worker.stop();
        await locks.close();
        log('stopped');
      })()),
  };
}
