import type { VmSize } from '../vm-size.ts';
import type { PowerState, Requester, VmOperation } from './events.ts';
import type { ProvisioningStage } from './stages.ts';

export const VM_REQUEST_STATUSES = [
  'PENDING',
  'APPROVED',
  'REJECTED',
  'CANCELLED',
  'PROVISIONING',
  'READY',
  'FAILED',
  'DECOMMISSIONED',
] as const;
export type VmRequestStatus = (typeof VM_REQUEST_STATUSES)[number];

/**
 * Where provisioning ends: nothing more happens to the request on its own. READY is one, though its VM may still be
 * powered off and on or decommissioned (see FINAL_STATUSES).
 */
export const TERMINAL_STATUSES: readonly VmRequestStatus[] = ['REJECTED', 'CANCELLED', 'READY', 'FAILED', 'DECOMMISSIONED'];

export const isTerminal = (status: VmRequestStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Statuses nothing can leave: no command or observation changes the request any more. */
export const FINAL_STATUSES: readonly VmRequestStatus[] = ['REJECTED', 'CANCELLED', 'FAILED', 'DECOMMISSIONED'];

export const isFinal = (status: VmRequestStatus): boolean => FINAL_STATUSES.includes(status);

export interface VmRequest {
  status: VmRequestStatus;
  /** Number of events folded so far: the stream version, and the version approve/reject must expect. */
  version: number;
  projectId: string;
  vmName: string;
  size: VmSize;
  justification: string;
  requester: Requester;
  /** The admin who approved or rejected. */
  decidedBy: string | null;
  rejectionReason: string | null;
  cancellationReason: string | null;
  /** Only while PROVISIONING: the stage the current attempt reached (null before its first, and during a backoff). */
  provisioningStage: ProvisioningStage | null;
  /**
   * The current attempt (1-based) while PROVISIONING; once READY or FAILED, the attempt that ended it (the number of
   * attempts made); null before provisioning started.
   */
  provisioningAttempt: number | null;
  /** While a failed attempt's retry waits (backoff): when the next attempt starts (ISO 8601); null otherwise. */
  nextRetryAt: string | null;
  vmwareVmId: string | null;
  hostname: string | null;
  ipAddress: string | null;
  warning: string | null;
  failure: { errorCode: string; errorMessage: string; attempts: number } | null;
  /** The VM's power as last done or observed: ON once READY, null before READY and once DECOMMISSIONED. */
  powerState: PowerState | null;
  /** The power or decommission operation requested and not yet done or failed. */
  pendingOperation: VmOperation | null;
  /**
   * The last requested operation that failed; cleared when a later one succeeds. (When it failed, like when the
   * request was decommissioned, is the occurredAt of its event: evolve sees no metadata.)
   */
  lastOperationError: { operation: VmOperation; errorCode: string; errorMessage: string; attempts: number } | null;
}

/** Before the first event the request does not exist. */
export type NoVmRequest = { status: 'NONE'; version: number };

export type VmRequestState = NoVmRequest | VmRequest;

export const initialVmRequestState = (): VmRequestState => ({ status: 'NONE', version: 0 });
