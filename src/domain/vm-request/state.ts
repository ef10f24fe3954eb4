import type { VmSize } from '../vm-size.ts';
import type { Requester } from './events.ts';
import type { ProvisioningStage } from './stages.ts';

export const VM_REQUEST_STATUSES = [
  'PENDING',
  'APPROVED',
  'REJECTED',
  'CANCELLED',
  'PROVISIONING',
  'READY',
  'FAILED',
] as const;
export type VmRequestStatus = (typeof VM_REQUEST_STATUSES)[number];

export const TERMINAL_STATUSES: readonly VmRequestStatus[] = ['REJECTED', 'CANCELLED', 'READY', 'FAILED'];

export const isTerminal = (status: VmRequestStatus): boolean => TERMINAL_STATUSES.includes(status);

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
}

/** Before the first event the request does not exist. */
export type NoVmRequest = { status: 'NONE'; version: number };

export type VmRequestState = NoVmRequest | VmRequest;

export const initialVmRequestState = (): VmRequestState => ({ status: 'NONE', version: 0 });
