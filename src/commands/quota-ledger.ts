import type postgres from 'postgres';
import type { AttachedWrite } from '../event-store/index.ts';
import {
  checkQuota,
  type DomainError,
  type QuotaAmounts,
  quotaAmountsOf,
  type QuotaLimits,
  type VmRequestCommand,
  type VmRequestEvent,
  type VmRequestState,
  type VmSize,
  ZERO_AMOUNTS,
} from '../domain/index.ts';

/**
 * The quota ledger: what each counted VM request holds (project_quota_holds) and each project's limits
 * (project_quotas), kept in the transaction of the append that changes them, so it is never behind the events and
 * never reads a projection (architecture.md, decision 12).
 *
 * - A new request locks its project's quota row, then adds up the holds and inserts its own only if it fits. Creates
 *   of one project therefore queue on that row, and each sees every hold committed before it: no two can both take
 *   the last VM, whichever process they run in. A project without a row has no limits and needs no lock: the row is
 *   written only by setProjectQuota, which holds the project's lock exclusively, and a create is appended under
 *   that lock shared (project-guard.ts), so a quota set meanwhile makes the create decide again.
 * - An approval locks the row shared and checks that the request still fits next to the others, since a limit may
 *   have been lowered since it was made.
 * - Rejecting, cancelling, failing and the VM's deletion (decommissioned, or observed deleted outside DVMM) delete
 *   the request's hold: the delete is in the transaction of the one append
 *   that moves the request out of its counted statuses, which the stream's unique version lets happen only once
 *   (an idempotent retry appends nothing, so it releases nothing), and deleting a row that is gone changes nothing.
 * - READY marks the hold running: still counted, now as a running VM.
 *
 * A refusal returned here rolls the append back.
 *
 * attachToQuotaLedger does the same in the append's own statement where no lock is needed, which is most appends:
 * see there.
 */
export const applyToQuotaLedger = async (
  tx: postgres.TransactionSql,
  tenantId: string,
  requestId: string,
  before: VmRequestState,
  events: readonly VmRequestEvent[],
): Promise<DomainError | null> => {
  for (const event of events) {
    switch (event.type) {
      case 'VmRequestCreated': {
        const refusal = await hold(tx, tenantId, requestId, event.data.projectId, event.data.size);
        if (refusal) return refusal;
        break;
      }
      case 'VmRequestApproved': {
        if (before.status === 'NONE') break;
        const refusal = await checkStillFits(tx, tenantId, requestId, before.projectId, before.size);
        if (refusal) return refusal;
        break;
      }
      case 'VmRequestRejected':
      case 'VmRequestCancelled':
      case 'VmRequestProvisioningFailed':
      case 'VmDecommissioned':
      case 'VmDeletionObserved':
        await tx`delete from project_quota_holds where request_id = ${requestId} and tenant_id = ${tenantId}`;
        break;
      case 'VmRequestReady':
        await tx`update project_quota_holds set running = true where request_id = ${requestId} and tenant_id = ${tenantId}`;
        break;
      default:
        break;
    }
  }
  return null;
};

/**
 * The ledger write of an append of one event, attached to the append's statement (one round trip, no transaction),
 * or null where it needs the transaction of applyToQuotaLedger.
 *
 * - A new request in a project without limits inserts its hold, and declines (for applyToQuotaLedger to lock and
 *   check) when the project has a quota row. Seeing no row in the statement's snapshot is enough: a create is
 *   appended under its project's condition (project-guard.ts), so a quota set that committed after the snapshot was
 *   taken, while the create waited for the project's lock, changed the project's version and fails the condition;
 *   one that comes later waits for the create to commit.
 * - Releases and READY are written with the one append that makes them, exactly as in the transaction.
 * - An approval checks against limits under a lock: null.
 */
export const attachToQuotaLedger = (
  sql: postgres.Sql,
  tenantId: string,
  requestId: string,
  events: readonly VmRequestEvent[],
): AttachedWrite | null => {
  const [event] = events;
  if (!event || events.length !== 1) return null;
  const never = sql`false`;
  switch (event.type) {
    case 'VmRequestCreated': {
      const { projectId, size } = event.data;
      const requested = quotaAmountsOf(size);
      return {
        declineIf: sql`exists (select 1 from project_quotas where tenant_id = ${tenantId} and project_id = ${projectId})`,
        write: (written) => sql`
          insert into project_quota_holds (request_id, tenant_id, project_id, size, vcpus, ram_gb, disk_gb, running)
          select ${requestId}, ${tenantId}, ${projectId}, ${size}, ${requested.vcpus}, ${requested.ramGb}, ${requested.storageGb}, false
          where ${written}`,
      };
    }
    case 'VmRequestRejected':
    case 'VmRequestCancelled':
    case 'VmRequestProvisioningFailed':
    case 'VmDecommissioned':
    case 'VmDeletionObserved':
      return {
        declineIf: never,
        write: (written) => sql`
          delete from project_quota_holds where request_id = ${requestId} and tenant_id = ${tenantId} and ${written}`,
      };
    case 'VmRequestReady':
      return {
        declineIf: never,
        write: (written) => sql`
          update project_quota_holds set running = true
          where request_id = ${requestId} and tenant_id = ${tenantId} and ${written}`,
      };
    default:
      return null;
  }
};

/** The commands whose events change the ledger or are checked against it: only they pay for a transaction. */
export const QUOTA_LEDGER_COMMANDS: ReadonlySet<string> = new Set([
  'CreateVmRequest',
  'ApproveVmRequest',
  'RejectVmRequest',
  'CancelVmRequest',
  'CompleteProvisioning',
  'FailProvisioning',
  'ObserveVmDeleted',
]);

/** Whether the command's events may change the ledger; of the VM's operations only a completed decommission does. */
export const touchesQuotaLedger = (command: VmRequestCommand): boolean =>
  QUOTA_LEDGER_COMMANDS.has(command.type) ||
  (command.type === 'CompleteVmOperation' && command.data.operation === 'DECOMMISSION');

interface LimitRow {
  max_vms: number | null;
  max_vcpus: number | null;
  max_ram_gb: number | null;
  max_storage_gb: number | null;
}

const toLimits = (row: LimitRow): QuotaLimits => ({
  maxVms: row.max_vms,
  maxVCpus: row.max_vcpus,
  maxRamGb: row.max_ram_gb,
  maxStorageGb: row.max_storage_gb,
});

const hold = async (
  tx: postgres.TransactionSql,
  tenantId: string,
  requestId: string,
  projectId: string,
  size: VmSize,
): Promise<DomainError | null> => {
  const [limits] = await tx<LimitRow[]>`
    select max_vms, max_vcpus, max_ram_gb, max_storage_gb from project_quotas
    where tenant_id = ${tenantId} and project_id = ${projectId}
    for update`;
  const requested = quotaAmountsOf(size);
  if (limits) {
    // A statement of its own, after the lock: its snapshot includes every hold committed before we got the row.
    const refusal = checkQuota(toLimits(limits), await heldBy(tx, tenantId, projectId, null), requested);
    if (refusal) return refusal;
  }
  await tx`
    insert into project_quota_holds (request_id, tenant_id, project_id, size, vcpus, ram_gb, disk_gb, running)
    values (${requestId}, ${tenantId}, ${projectId}, ${size}, ${requested.vcpus}, ${requested.ramGb}, ${requested.storageGb}, false)`;
  return null;
};

const checkStillFits = async (
  tx: postgres.TransactionSql,
  tenantId: string,
  requestId: string,
  projectId: string,
  size: VmSize,
): Promise<DomainError | null> => {
  // Shared: approvals change no amounts, so they need not queue behind each other, only behind a quota change.
  const [limits] = await tx<LimitRow[]>`
    select max_vms, max_vcpus, max_ram_gb, max_storage_gb from project_quotas
    where tenant_id = ${tenantId} and project_id = ${projectId}
    for share`;
  if (!limits) return null;
  return checkQuota(toLimits(limits), await heldBy(tx, tenantId, projectId, requestId), quotaAmountsOf(size));
};

/** What the project's counted requests hold, leaving out `except` (the request being checked). */
const heldBy = async (
  tx: postgres.TransactionSql,
  tenantId: string,
  projectId: string,
  except: string | null,
): Promise<QuotaAmounts> => {
  const [row] = await tx<{ vms: number; vcpus: number; ram_gb: number; disk_gb: number }[]>`
    select count(*)::int as vms, coalesce(sum(vcpus), 0)::int as vcpus, coalesce(sum(ram_gb), 0)::int as ram_gb,
           coalesce(sum(disk_gb), 0)::int as disk_gb
    from project_quota_holds
    where tenant_id = ${tenantId} and project_id = ${projectId} ${except ? tx`and request_id <> ${except}` : tx``}`;
  return row ? { vms: row.vms, vcpus: row.vcpus, ramGb: row.ram_gb, storageGb: row.disk_gb } : ZERO_AMOUNTS;
};

/** Mirrors ProjectQuotaSet into the ledger, in its append's transaction (which holds the project's lock). */
export const setQuotaLimits = async (
  tx: postgres.TransactionSql,
  tenantId: string,
  projectId: string,
  limits: QuotaLimits,
): Promise<null> => {
  await tx`
    insert into project_quotas (tenant_id, project_id, max_vms, max_vcpus, max_ram_gb, max_storage_gb)
    values (${tenantId}, ${projectId}, ${limits.maxVms}, ${limits.maxVCpus}, ${limits.maxRamGb}, ${limits.maxStorageGb})
    on conflict (tenant_id, project_id) do update set
      max_vms = excluded.max_vms, max_vcpus = excluded.max_vcpus,
      max_ram_gb = excluded.max_ram_gb, max_storage_gb = excluded.max_storage_gb`;
  return null;
};
