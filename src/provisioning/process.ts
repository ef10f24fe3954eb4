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
import { startWorker, type WorkerStatus } from './worker.ts';

export interface StartProvisioningOptions {
  sql: postgres.Sql;
  store: EventStore;
  /** Default: the real handlers over `store`. */
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
}

export interface ProvisioningProcess {
  /** Lets running jobs stop at their next step (nothing half-recorded), releases every lock and connection. */
  stop(): Promise<void>;
  status(): ProvisioningStatus;
  /** Look for due jobs now. */
  wake(): void;
}

/**
 * The provisioning process of this instance: the `provisioning_jobs` projection (one leader across all instances,
 * checkpointed by the projector runtime) and a worker that drives the jobs. Any number of instances may run: each
 * job is driven by one of them at a time (see job-locks.ts), and after a crash another one, or the restarted one,
 * carries on from the request's events.
 */
export async function startProvisioning(config: StartProvisioningOptions): Promise<ProvisioningProcess> {
  const { sql, store, hypervisor } = config;
  const options: ProvisioningOptions = { ...DEFAULT_PROVISIONING_OPTIONS, ...config.options };
  const logLine = config.log ?? ((line: string) => console.log(line));
  const log = (line: string) => logLine(`[provisioning] ${line}`);
  const commands = config.commands ?? createCommandHandlers(store);

  const locks = await openJobLocks(sql, `${WORKER_APPLICATION_NAME} ${hostname()}:${process.pid}`);
  const worker = startWorker({ sql, store, commands, hypervisor, options, locks, log });
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
  log(`started (${hypervisor.kind} hypervisor, up to ${options.concurrency} at a time, ${options.maxAttempts} attempts)`);

  let stopping: Promise<void> | null = null;
  return {
    wake: worker.wake,
    status: () => ({
      hypervisor: hypervisor.kind,
      jobsProjection: projector.status().projections.find((p) => p.name === PROVISIONING_JOBS_PROJECTION) ?? null,
      worker: worker.status(),
    }),
    stop: () =>
      (stopping ??= (async () => {
        await projector.stop();
        await worker.stop();
        await locks.close();
        log('stopped');
      })()),
  };
}
