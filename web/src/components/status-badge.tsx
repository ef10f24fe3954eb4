import type { VmRequestStatus } from '../gql/graphql.ts';

export const STATUS_LABELS: Record<VmRequestStatus, string> = {
  PENDING: 'Pending approval',
  APPROVED: 'Approved',
  PROVISIONING: 'Provisioning',
  READY: 'Ready',
  REJECTED: 'Rejected',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
  DECOMMISSIONED: 'Decommissioned',
};

/** A request's status in words; the colour only repeats what the text says. */
export function StatusBadge({ status }: { status: VmRequestStatus }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
