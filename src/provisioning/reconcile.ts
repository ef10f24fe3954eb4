import { hostname } from 'node:os';
import type postgres from 'postgres';
import { type CommandContext, readVmRequest } from '../commands/index.ts';
import { describeError } from '../db/connection-errors.ts';
import { outageLog } from '../db/outage-log.ts';
import { type DomainResult, systemPrincipal } from '../domain/index.ts';
import type { EventStore } from '../event-store/index.ts';
import { createLeadership } from '../projections/leadership.ts';
import type { Hypervisor } from './hypervisor.ts';
import { type Candidate, reconcileCandidates } from './reconcile-candidates.ts';
import type { ProvisioningCommands } from './run-job.ts';
import { vmSpecFor } from './vm-spec.ts';

/** The leader lock's name (one reconciler across all instances); `projections status` does not list it. */
export const RECONCILE_LEADER = 'vm_reconciliation';
/** Who recorded an observation, in the audit trail. */
export const RECONCILIATION_USER = 'system:reconciliation';

export interface ReconcilerStatus {
  intervalMs: number;
  /** This instance holds the leader lock and reconciles; the others stand by. */
  leader: boolean;
  rounds: number;
  lastRoundAt: Date | null;
  /** VMs looked at, and what was recorded about them. */
  checked: number;
  observed: { powerStates: number; deletions: number };
  /** Requests that changed between reading and recording (an operation ran meanwhile): left to the next round. */
  skipped: number;
  errors: number;
  lastError: { requestId: string; message: string; at: Date } | null;
}

export interface Reconciler {
  stop(): Promise<void>;
  status(): ReconcilerStatus;
  /** For /ready: the loop keeps going round and its lock connection answers. */
  check(timeoutMs: number): Promise<{ ok: boolean; detail?: string }>;
}

export interface ReconcilerDeps {
  sql: postgres.Sql;
  store: EventStore;
  commands: Pick<ProvisioningCommands, 'observeVmPowerState' | 'observeVmDeleted'>;
  hypervisor: Hypervisor;
  intervalMs: number;
  /** VMs looked at per round, at most. */
  batchSize?: number;
  log: (line: string) => void;
}

const DEFAULT_BATCH = 100;

/**
 * Notices VMs powered off, on, or deleted in the hypervisor directly (outside DVMM) and records what it saw on the
 * request's stream: VmPowerStateObserved, VmDeletionObserved (which releases the quota). Every intervalMs the leader
 * (an advisory lock, as for projections) looks at up to batchSize READY requests with nothing pending, the next ones
 * each round, and asks the hypervisor (inspectVm).
 *
 * What it saw is recorded only on the version of the request it read before asking (expectedVersion), under a key
 * made of that version: had an operation been requested or carried out meanwhile, the request moved on and the
 * observation is dropped (the next round looks again); two reconcilers that saw the same thing record it once.
 * Errors are logged and the VM is looked at again next round; nothing here stops the process.
 */
export function startReconciler(deps: ReconcilerDeps): Reconciler {
  const { sql, store, commands, hypervisor, intervalMs, log } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  const status: ReconcilerStatus = {
    intervalMs,
    leader: false,
    rounds: 0,
    lastRoundAt: null,
    checked: 0,
    observed: { powerStates: 0, deletions: 0 },
    skipped: 0,
    errors: 0,
    lastError: null,
  };
  const outage = outageLog(log, 'reconciliation');
  const abort = new AbortController();
  let after: string | null = null;
  let loopAt = Date.now();
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  const leadership = createLeadership(sql, `dvmm-reconciliation ${hostname()}:${process.pid}`, () => {
    status.leader = false;
  });

  const failed = (requestId: string, error: unknown) => {
    status.errors++;
    status.lastError = { requestId, message: describeError(error), at: new Date() };
  };

  /** True when this call wrote the observation (not a refusal, not a no-op, not another reconciler's duplicate). */
  const record = async (
    key: string,
    run: (context: CommandContext) => Promise<DomainResult<{ events: unknown[]; duplicate: boolean }>>,
  ): Promise<boolean> => {
    const result = await run({ idempotencyKey: key });
    if (!result.ok) {
      status.skipped++;
      return false;
    }
    return !result.value.duplicate && result.value.events.length > 0;
  };

  const reconcileOne = async (candidate: Candidate): Promise<void> => {
    const principal = systemPrincipal(candidate.tenantId, RECONCILIATION_USER);
    const read = await readVmRequest(store, principal, candidate.requestId, { system: true });
    if (!read.ok) return;
    const { state: request, version } = read.value;
    if (request.status !== 'READY' || request.pendingOperation !== null) return;
    const spec = vmSpecFor(candidate.requestId, candidate.tenantId, request);
    const vm = await hypervisor.inspectVm(spec, { attempt: 1, signal: abort.signal });
    status.checked++;
    const id = candidate.requestId;
    // The same observation on the same version is the same command, whoever makes it.
    const key = (what: string) => `reconcile:${id}:${version}:${what}`;
    if (vm === null) {
      const recorded = await record(key('deleted'), (context) =>
        commands.observeVmDeleted(principal, { id, expectedVersion: version }, context),
      );
      if (recorded) {
        status.observed.deletions++;
        log(`request ${id}: its VM ${spec.name} was deleted outside DVMM; recorded, quota released`);
      }
    } else if (vm.powerState !== request.powerState) {
      const powerState = vm.powerState;
      const recorded = await record(key('power'), (context) =>
        commands.observeVmPowerState(principal, { id, powerState, expectedVersion: version }, context),
      );
      if (recorded) {
        status.observed.powerStates++;
        log(`request ${id}: its VM ${vm.id} is ${powerState} (recorded ${request.powerState ?? 'nothing'}), changed outside DVMM; recorded`);
      }
    }
  };

  const round = async (): Promise<void> => {
    const leading = await leadership.refresh([RECONCILE_LEADER]);
    status.leader = leading.has(RECONCILE_LEADER);
    if (!status.leader) return;
    const candidates = await reconcileCandidates(sql, after, batchSize);
    // A short page means the end: the next round starts from the beginning.
    after = candidates.length < batchSize ? null : (candidates.at(-1)?.requestId ?? null);
    let errors = 0;
    for (const candidate of candidates) {
      if (stopped) return;
      try {
        await reconcileOne(candidate);
      } catch (error) {
        if (stopped) return;
        errors++;
        failed(candidate.requestId, error);
      }
    }
    // One line a round, however many VMs could not be looked at (a vCenter that is down fails them all).
    if (errors > 0) {
      const last = status.lastError!;
      log(`reconciliation: ${errors} of ${candidates.length} request(s) not checked (last: ${last.requestId}: ${last.message}); again next round`);
    }
    status.rounds++;
    status.lastRoundAt = new Date();
  };

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (!stopped) {
      try {
        await round();
        outage.recovered();
      } catch (error) {
        // The database (or the lock connection) is down: lead nothing until it answers again.
        status.leader = false;
        outage.failed(error);
      }
      loopAt = Date.now();
      if (stopped) break;
      await idle(intervalMs);
    }
  })();

  return {
    status: () => ({ ...status, observed: { ...status.observed } }),
    async check(timeoutMs) {
      if (stopped) return { ok: false, detail: 'stopped' };
      const problems: string[] = [];
      const quietMs = Date.now() - loopAt;
      if (quietMs > Math.max(10_000, 3 * intervalMs)) problems.push(`reconciliation loop stuck for ${Math.round(quietMs / 1000)} s`);
      try {
        await leadership.ping(timeoutMs);
      } catch (error) {
        problems.push(`reconciliation lock connection: ${describeError(error)}`);
      }
      return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
    },
    async stop() {
      stopped = true;
      abort.abort();
      wakeUp?.();
      await loop;
      await leadership.close();
    },
  };
}
