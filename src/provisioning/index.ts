// The provisioning process and its hypervisor adapters.
export * from './hypervisor.ts';
export * from './simulated-hypervisor.ts';
export { readSimulatorFile, type SimulatorSnapshot } from './simulator-state.ts';
export * from './config.ts';
export { backoffMs } from './backoff.ts';
export { hypervisorVmName, vmSpecFor } from './vm-spec.ts';
export { PROVISIONING_JOBS_PROJECTION, approvalEventId, provisioningJobsProjection } from './jobs-projection.ts';
export { loadJob, type JobOutcome, type JobStatus, type ProvisioningJob } from './jobs.ts';
export type { ProvisioningCommands } from './run-job.ts';
export type { WorkerStatus } from './worker.ts';
export {
  startProvisioning,
  type ProvisioningProcess,
  type ProvisioningStatus,
  type StartProvisioningOptions,
} from './process.ts';
export { provisioningJobs } from './provisioning-jobs.table.ts';
export { RECONCILE_LEADER, RECONCILIATION_USER, type ReconcilerStatus } from './reconcile.ts';
export { VM_NOT_FOUND } from './run-lifecycle-job.ts';
export { startProvisioningFromEnv } from './from-env.ts';
