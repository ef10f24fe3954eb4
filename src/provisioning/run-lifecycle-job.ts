import { type CommandContext, readVmRequest } from '../commands/index.ts';
import { type DomainResult, type Principal, systemPrincipal, type VmOperation, type VmRequest } from '../domain/index.ts';
import { backoffMs } from './backoff.ts';
import { HypervisorError, type HypervisorErrorCode, type VmSpec } from './hypervisor.ts';
import { type JobOutcome, markDone, type ProvisioningJob, scheduleOperationRetry } from './jobs.ts';
import { type JobDeps, type RunResult, UnexpectedRefusalError } from './run-job.ts';
import { vmSpecFor } from './vm-spec.ts';

/** What a power operation finds when the VM is gone: it fails, and reconciliation records the deletion. */
export const VM_NOT_FOUND: HypervisorErrorCode = 'VM_NOT_FOUND';

/**
 * Drives a VM operation requested after READY (the job's kind): power off, power on, or decommission (power off if
 * on, delete, record VmDecommissioned). As with provisioning, where the request stands comes from its stream, and every
 * hypervisor step is idempotent and looked up first (inspectVm), so a run after a crash repeats nothing that was done:
 * a VM deleted before the crash is found gone and not deleted again.
 *
 * A retryable HypervisorError schedules another attempt (backoff, up to maxAttempts); the last one, or a
 * non-retryable error, records VmOperationFailed and leaves the request READY. Throws AbortedError when stopping and
 * anything else for an outage of our own, leaving the job to be run again.
 */
export async function runLifecycleJob(deps: JobDeps, job: ProvisioningJob): Promise<RunResult> {
  return new LifecycleRun(deps, job).go();
}

class LifecycleRun {
  private readonly principal: Principal;
  private readonly operation: VmOperation;

  constructor(
    private readonly deps: JobDeps,
    private readonly job: ProvisioningJob,
  ) {
    this.principal = systemPrincipal(job.tenantId);
    if (job.kind === 'PROVISION') throw new Error(`job ${job.requestId} is a provisioning job`);
    this.operation = job.kind;
  }

  /** Keys name the request event that asked (causation), so a repeated step answers with its first result. */
  private context(step: string): CommandContext {
    const { requestId, correlationId, causationId } = this.job;
    return { correlationId, causationId, idempotencyKey: `lifecycle:${requestId}:${causationId}:${step}` };
  }

  async go(): Promise<RunResult> {
    const read = await readVmRequest(this.deps.store, this.principal, this.job.requestId, { system: true });
    if (!read.ok) {
      this.deps.log(`request ${this.job.requestId} does not exist in tenant ${this.job.tenantId}; skipped`);
      return this.done('SKIPPED');
    }
    const request = read.value.state;
    if (request.pendingOperation !== this.operation) return this.nothingPending(request);
    const spec = vmSpecFor(this.job.requestId, this.job.tenantId, request);
    try {
      const found = await this.carryOut(spec);
      if (!found) return this.fail(VM_NOT_FOUND, `VM ${spec.name} does not exist on the hypervisor`);
    } catch (error) {
      if (!(error instanceof HypervisorError)) throw error;
      return this.attemptFailed(error);
    }
    const completed = await this.command('complete', () =>
      this.deps.commands.completeVmOperation(
        this.principal,
        { id: this.job.requestId, operation: this.operation },
        this.context('complete'),
      ),
    );
    if (!completed) return this.superseded();
    this.deps.log(`request ${this.job.requestId}: ${this.operation} done`);
    return this.done(this.operation === 'DECOMMISSION' ? 'DECOMMISSIONED' : 'DONE');
  }

  /** The hypervisor's part; false when the VM a power operation needs is gone. */
  private async carryOut(spec: VmSpec): Promise<boolean> {
    const { hypervisor, signal, fence } = this.deps;
    const ctx = { attempt: this.job.attempt, signal };
    const vm = await hypervisor.inspectVm(spec, ctx);
    if (vm === null) return this.operation === 'DECOMMISSION';
    switch (this.operation) {
      case 'POWER_OFF':
        if (vm.powerState === 'OFF') return true;
        await fence();
        await hypervisor.powerOff(vm, spec, ctx);
        return true;
      case 'POWER_ON':
        if (vm.powerState === 'ON') return true;
        await fence();
        await hypervisor.powerOn(vm, spec, ctx);
        return true;
      case 'DECOMMISSION':
        if (vm.powerState !== 'OFF') {
          await fence();
          await hypervisor.powerOff(vm, spec, ctx);
        }
        await fence();
        // Releasing the VM's address, where there is an allocator, is part of the hypervisor's deletion.
        await hypervisor.deleteVm(vm, spec, ctx);
        this.deps.log(`request ${spec.requestId}: deleted ${vm.id} (decommission)`);
        return true;
    }
  }

  private async attemptFailed(error: HypervisorError): Promise<RunResult> {
    const { maxAttempts } = this.deps.options;
    const final = !error.retryable || this.job.attempt >= maxAttempts;
    this.deps.log(
      `request ${this.job.requestId}: ${this.operation} attempt ${this.job.attempt}/${maxAttempts} failed with ` +
        `${error.code}: ${error.message}${final ? ' (giving up)' : ' (will retry)'}`,
    );
    if (final) return this.fail(error.code, error.message);
    const delayMs = backoffMs(this.job.attempt, this.deps.options);
    await this.deps.fence();
    await scheduleOperationRetry(this.deps.sql, this.job, delayMs, error.code, error.message);
    return { kind: 'retry-scheduled', attempt: this.job.attempt + 1, delayMs };
  }

  private async fail(errorCode: string, errorMessage: string): Promise<RunResult> {
    const recorded = await this.command('failed', () =>
      this.deps.commands.failVmOperation(
        this.principal,
        { id: this.job.requestId, operation: this.operation, errorCode, errorMessage, attempts: this.job.attempt },
        this.context('failed'),
      ),
    );
    return recorded ? this.done('OPERATION_FAILED') : this.superseded();
  }

  /**
   * Nothing of this kind is pending: it was done (or failed) by a run that stopped before closing the job, or a
   * decommission took its place, or the VM was found deleted meanwhile.
   */
  private nothingPending(request: VmRequest): Promise<RunResult> {
    if (request.status === 'DECOMMISSIONED') return this.done('DECOMMISSIONED');
    if (request.pendingOperation !== null) return this.superseded();
    const failed = request.lastOperationError?.operation === this.operation;
    return this.done(failed ? 'OPERATION_FAILED' : 'DONE');
  }

  /** A decommission took this operation's place: its job owns the row now (markDone leaves it alone). */
  private async superseded(): Promise<RunResult> {
    this.deps.log(`request ${this.job.requestId}: ${this.operation} superseded; nothing more to do`);
    return this.done('DONE');
  }

  /** Runs a command; false when it was refused because the operation is no longer the pending one. */
  private async command(step: string, run: () => Promise<DomainResult<{ state: VmRequest }>>): Promise<boolean> {
    await this.deps.fence();
    const result = await run();
    if (result.ok) return true;
    const now = await readVmRequest(this.deps.store, this.principal, this.job.requestId, { system: true });
    if (now.ok && now.value.state.pendingOperation !== this.operation) return false;
    throw new UnexpectedRefusalError(step, result.error);
  }

  private async done(outcome: JobOutcome): Promise<RunResult> {
    await this.deps.fence();
    await markDone(this.deps.sql, this.job, outcome);
    return { kind: 'done', outcome };
  }
}
