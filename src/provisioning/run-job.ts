import { type CommandContext, type CommandHandlers, readVmRequest } from '../commands/index.ts';
import {
  type DomainError,
  type DomainResult,
  PROVISIONING_STAGES,
  type Principal,
  type ProvisioningStage,
  systemPrincipal,
  type VmRequest,
} from '../domain/index.ts';
import type { EventStore, Sql } from '../event-store/index.ts';
import { backoffMs } from './backoff.ts';
import type { ProvisioningOptions } from './config.ts';
import { type Hypervisor, HypervisorError, type NetworkInfo, type VmHandle, type VmSpec } from './hypervisor.ts';
import {
  type JobOutcome,
  markCleanupPending,
  markDone,
  markFailedAttempt,
  type ProvisioningJob,
  scheduleNextAttempt,
} from './jobs.ts';
import { vmSpecFor } from './vm-spec.ts';

/** The system commands the process issues; the real handlers from src/commands by default. */
export type ProvisioningCommands = Pick<
  CommandHandlers,
  | 'startProvisioning'
  | 'reportProvisioningProgress'
  | 'completeProvisioning'
  | 'scheduleProvisioningRetry'
  | 'failProvisioning'
  | 'completeVmOperation'
  | 'failVmOperation'
  | 'observeVmPowerState'
  | 'observeVmDeleted'
>;

export interface JobDeps {
  sql: Sql;
  store: EventStore;
  commands: ProvisioningCommands;
  hypervisor: Hypervisor;
  options: ProvisioningOptions;
  /** Throws unless this process still owns the job; called before every step that changes something. */
  fence: () => Promise<void>;
  signal: AbortSignal;
  log: (line: string) => void;
}

/**
 * How one run of a job ended: finished, a retry scheduled (after compensation), or the request FAILED with the deletion
 * of its VM still owed (the hypervisor refused it `failures` times; tried again after `delayMs`).
 */
export type RunResult =
  | { kind: 'done'; outcome: JobOutcome }
  | { kind: 'retry-scheduled'; attempt: number; delayMs: number }
  | { kind: 'cleanup-pending'; failures: number; delayMs: number };

/** A command was refused: the request is not where this run believed it to be. Rerun from the stream. */
export class UnexpectedRefusalError extends Error {
  override readonly name = 'UnexpectedRefusalError';
  constructor(step: string, readonly refusal: DomainError) {
    super(`${step} was refused: ${refusal.code}: ${refusal.message}`);
  }
}

/**
 * Drives one job as far as it goes now. Where the request stands comes from its event stream, never from memory,
 * so a run that starts after a crash (here or in another process) carries on from the last recorded step; every
 * hypervisor operation before that step is repeated idempotently (the VM is found by its name, not cloned again).
 *
 * A HypervisorError becomes a retry or FAILED; it is thrown only by compensation before a retry that meets an outage
 * (the worker tries again later). Throws AbortedError when stopping and anything else for an outage of our own,
 * leaving the job to be run again.
 */
export async function runJob(deps: JobDeps, job: ProvisioningJob): Promise<RunResult> {
  // NOT_FOUND covers a missing request and one of another tenant alike: either way there is nothing to provision.
  const read = await readVmRequest(deps.store, systemPrincipal(job.tenantId), job.requestId, { system: true });
  const run = new JobRun(deps, job, read.ok ? read.value.state : null);
  return run.go();
}

class JobRun {
  private readonly principal: Principal;
  private readonly context: (step: string) => CommandContext;

  constructor(
    private readonly deps: JobDeps,
    private readonly job: ProvisioningJob,
    private request: VmRequest | null,
  ) {
    this.principal = systemPrincipal(job.tenantId);
    // Every event carries the approval's correlation id; the key makes a repeated step answer with its first result.
    this.context = (step) => ({
      correlationId: job.correlationId,
      causationId: job.causationId,
      idempotencyKey: `provisioning:${job.requestId}:${step}`,
    });
  }

  async go(): Promise<RunResult> {
    const request = this.request;
    if (request === null) {
      this.deps.log(`request ${this.job.requestId} does not exist in tenant ${this.job.tenantId}; skipped`);
      return this.done('SKIPPED');
    }
    // The request is FAILED, or was about to be recorded so when the process stopped; its VM is still to be deleted.
    if (this.job.status === 'CLEANUP') return this.cleanUp(vmSpecFor(this.job.requestId, this.job.tenantId, request));
    if (request.status === 'READY') return this.done('READY');
    if (request.status === 'FAILED') return this.done('FAILED');
    if (request.status !== 'APPROVED' && request.status !== 'PROVISIONING') {
      this.deps.log(`request ${this.job.requestId} is ${request.status}, not provisionable; skipped`);
      return this.done('SKIPPED');
    }
    const spec = vmSpecFor(this.job.requestId, this.job.tenantId, request);

    // A failed attempt whose compensation did not finish: finish it before anything else.
    if (this.job.status === 'FAILING') return this.failRequest(spec, this.job.lastErrorCode, this.job.lastErrorMessage);
    if (this.job.status === 'RETRYING') return this.scheduleRetry(spec, this.job.lastErrorCode, this.job.lastErrorMessage);

    if (request.status === 'APPROVED') {
      await this.command('start', () =>
        this.deps.commands.startProvisioning(this.principal, { id: this.job.requestId }, this.context('start')),
      );
    }
    try {
      return await this.provision(spec);
    } catch (error) {
      if (!(error instanceof HypervisorError)) throw error;
      return this.attemptFailed(spec, error);
    }
  }

  /** The stages in order; each reported once (on the first attempt that reaches it), each operation idempotent. */
  private async provision(spec: VmSpec): Promise<RunResult> {
    const { hypervisor, signal } = this.deps;
    const ctx = { attempt: this.job.attempt, signal };

    await this.enter('CLONING');
    let vm: VmHandle | null = await hypervisor.findVmByName(spec, ctx);
    if (vm === null) {
      await this.deps.fence();
      vm = await hypervisor.cloneFromTemplate(spec, ctx);
      this.deps.log(`request ${spec.requestId}: cloned ${vm.id} (${vm.name}), attempt ${ctx.attempt}`);
    }
    await this.enter('CONFIGURING');
    await hypervisor.configure(vm, spec, ctx);
    await this.enter('POWERING_ON');
    await hypervisor.powerOn(vm, spec, ctx);
    await this.enter('WAITING_FOR_NETWORK');
    const network: NetworkInfo = await hypervisor.waitForNetwork(vm, spec, {
      ...ctx,
      timeoutMs: this.deps.options.networkTimeoutMs,
    });

    const vmId = vm.id;
    await this.command('ready', () =>
      this.deps.commands.completeProvisioning(
        this.principal,
        {
          id: this.job.requestId,
          vmwareVmId: vmId,
          hostname: network.hostname ?? spec.hostname,
          // No IP: the decider records READY with its standard warning.
          ipAddress: network.ipAddress,
        },
        this.context('ready'),
      ),
    );
    this.deps.log(`request ${spec.requestId}: READY (${vmId}, ${network.ipAddress ?? 'no IP'})`);
    return this.done('READY');
  }

  /** Reports `stage` unless the request already reached it (a resumed or repeated attempt). */
  private async enter(stage: ProvisioningStage): Promise<void> {
    const current = this.request?.provisioningStage ?? null;
    if (current !== null && PROVISIONING_STAGES.indexOf(current) >= PROVISIONING_STAGES.indexOf(stage)) {
      // Nothing to record, but the stage's operation follows: make sure the job is still ours.
      await this.deps.fence();
      return;
    }
    // Every attempt reports its stages (a retry starts from a deleted VM), so the key names the attempt.
    const step = `attempt:${this.job.attempt}:stage:${stage}`;
    await this.command(step, () =>
      this.deps.commands.reportProvisioningProgress(this.principal, { id: this.job.requestId, stage }, this.context(step)),
    );
  }

  private async attemptFailed(spec: VmSpec, error: HypervisorError): Promise<RunResult> {
    const { maxAttempts } = this.deps.options;
    const final = !error.retryable || this.job.attempt >= maxAttempts;
    this.deps.log(
      `request ${spec.requestId}: attempt ${this.job.attempt}/${maxAttempts} failed with ${error.code}: ${error.message}` +
        (final ? ' (giving up)' : ' (will retry)'),
    );
    // The decision is recorded before compensating, so a crash in between resumes with the same decision.
    await this.deps.fence();
    await markFailedAttempt(this.deps.sql, this.job.requestId, final ? 'FAILING' : 'RETRYING', error.code, error.message);
    return final ? this.failRequest(spec, error.code, error.message) : this.scheduleRetry(spec, error.code, error.message);
  }

  /**
   * After compensation, the retry is recorded on the request (clients see the next attempt and when it starts), then
   * the job is due at exactly that time. A rerun after a crash in between repeats the command under the same key,
   * gets the time first recorded back, and schedules the job for it.
   */
  private async scheduleRetry(spec: VmSpec, code: string | null, message: string | null): Promise<RunResult> {
    try {
      await this.compensate(spec);
    } catch (error) {
      // An outage passes (the worker tries compensation again later); a refusal that does not (credentials, a removed
      // connection) would fail the next attempt as well: the request fails now, with that refusal's code.
      if (!(error instanceof HypervisorError) || error.retryable) throw error;
      this.deps.log(`request ${spec.requestId}: compensation before attempt ${this.job.attempt + 1} failed with ${error.code}: ${error.message} (giving up)`);
      return this.failBeforeCleanup(spec, error.code, error.message, error);
    }
    const delayMs = backoffMs(this.job.attempt, this.deps.options);
    const failedAttempt = this.job.attempt;
    await this.command(`retry:${failedAttempt}`, () =>
      this.deps.commands.scheduleProvisioningRetry(
        this.principal,
        {
          id: this.job.requestId,
          failedAttempt,
          errorCode: code ?? 'UNKNOWN',
          errorMessage: message ?? 'provisioning attempt failed',
          retryAt: new Date(Date.now() + delayMs).toISOString(),
        },
        this.context(`retry:${failedAttempt}`),
      ),
    );
    const retryAt = new Date(this.request?.nextRetryAt ?? Date.now() + delayMs);
    await this.deps.fence();
    await scheduleNextAttempt(this.deps.sql, this.job.requestId, retryAt);
    return { kind: 'retry-scheduled', attempt: failedAttempt + 1, delayMs: Math.max(0, retryAt.getTime() - Date.now()) };
  }

  private async failRequest(spec: VmSpec, code: string | null, message: string | null): Promise<RunResult> {
    try {
      await this.compensate(spec);
    } catch (error) {
      if (!(error instanceof HypervisorError)) throw error;
      // Compensating first means a FAILED request has no VM behind it whenever the hypervisor answers. When it refuses
      // compensation too (rejected credentials, a connection removed after approval), waiting would hold the request
      // in PROVISIONING until an admin fixes the connection, with nobody told why: the request is FAILED now with the
      // real error, and the job (CLEANUP) keeps the deletion owed until the hypervisor allows it.
      return this.failBeforeCleanup(spec, code, message, error);
    }
    await this.recordFailed(code, message);
    return this.done('FAILED');
  }

  /** The decision (CLEANUP, with the failure FAILED reports) is recorded before FAILED, so a crash resumes it. */
  private async failBeforeCleanup(
    spec: VmSpec,
    code: string | null,
    message: string | null,
    cause: HypervisorError,
  ): Promise<RunResult> {
    const pending = await this.postponeCleanup(spec, code, message, cause);
    await this.recordFailed(code, message);
    return pending;
  }

  /** CLEANUP: the request is FAILED (recorded now if a crash came first), then the VM it may have left is deleted. */
  private async cleanUp(spec: VmSpec): Promise<RunResult> {
    const { lastErrorCode: code, lastErrorMessage: message } = this.job;
    if (this.request?.status !== 'FAILED') await this.recordFailed(code, message);
    try {
      await this.compensate(spec);
    } catch (error) {
      if (!(error instanceof HypervisorError)) throw error;
      return this.postponeCleanup(spec, code, message, error);
    }
    this.deps.log(`request ${spec.requestId}: compensation works again after ${this.job.cleanupFailures} failed tries; cleanup done`);
    return this.done('FAILED');
  }

  private async postponeCleanup(
    spec: VmSpec,
    code: string | null,
    message: string | null,
    cause: HypervisorError,
  ): Promise<RunResult> {
    const { options } = this.deps;
    const failures = this.job.cleanupFailures + 1;
    const delayMs = backoffMs(failures, { backoffMs: options.backoffMs, backoffMaxMs: options.cleanupBackoffMaxMs });
    await this.deps.fence();
    await markCleanupPending(this.deps.sql, this.job, {
      code: code ?? 'UNKNOWN',
      message: message ?? 'provisioning failed',
      cleanupError: `${cause.code}: ${cause.message}`,
      delayMs,
    });
    // Once per outage (the count is the job's, whichever process runs it); the success that ends it is logged too.
    if (failures === 1) {
      this.deps.log(
        `request ${spec.requestId}: deleting what attempt ${this.job.attempt} left failed with ${cause.code}: ${cause.message}; ` +
          'the request is FAILED, the deletion is tried again with backoff until the hypervisor allows it (logged once)',
      );
    }
    return { kind: 'cleanup-pending', failures, delayMs };
  }

  private async recordFailed(code: string | null, message: string | null): Promise<void> {
    await this.command('failed', () =>
      this.deps.commands.failProvisioning(
        this.principal,
        {
          id: this.job.requestId,
          errorCode: code ?? 'UNKNOWN',
          errorMessage: message ?? 'provisioning failed',
          attempts: this.job.attempt,
        },
        this.context('failed'),
      ),
    );
  }

  /** Deletes whatever VM the failed attempt left. A failure here is retried later; the decision stands. */
  private async compensate(spec: VmSpec): Promise<void> {
    const ctx = { attempt: this.job.attempt, signal: this.deps.signal };
    const vm = await this.deps.hypervisor.findVmByName(spec, ctx);
    if (vm === null) return;
    await this.deps.fence();
    await this.deps.hypervisor.deleteVm(vm, spec, ctx);
    this.deps.log(`request ${spec.requestId}: deleted ${vm.id} left by attempt ${ctx.attempt}`);
  }

  private async command(step: string, run: () => Promise<DomainResult<{ state: VmRequest }>>): Promise<void> {
    await this.deps.fence();
    const result = await run();
    if (!result.ok) throw new UnexpectedRefusalError(step, result.error);
    this.request = result.value.state;
  }

  private async done(outcome: JobOutcome): Promise<RunResult> {
    await this.deps.fence();
    await markDone(this.deps.sql, this.job, outcome);
    return { kind: 'done', outcome };
  }
}
