import { useQuery } from 'urql';
import { Link } from 'wouter';
import { StatusBadge } from '../../components/status-badge.tsx';
import { DecidedRequest } from '../../graphql/pending-approvals.ts';

export interface Notice {
  key: number;
  requestId: string;
  vmName: string;
  /** What this admin tried, when the request had already moved on. */
  tried: 'approve' | 'reject';
  /** The server's words when the refusal was not about someone acting first. */
  message?: string;
  /** Refused because the tenant has no vCenter connection (and nothing is simulated): the way to set one. */
  needsConnection?: boolean;
}

/**
 * Tells an admin that another admin decided a request first, with the request's state now. The state is read from
 * the cache, which the live feed keeps current, so it follows later changes too (APPROVED, then PROVISIONING...).
 */
export function DecisionNotice({ notice, onDismiss }: { notice: Notice; onDismiss(): void }) {
  const [{ data }] = useQuery({ query: DecidedRequest, variables: { id: notice.requestId } });
  const request = data?.vmRequest;
  return (
    <div className="notice" role="alert">
      {notice.message ? (
        <p>
          Could not {notice.tried} <strong>{notice.vmName}</strong>: {notice.message}
        </p>
      ) : (
        <p>
          Someone else already decided <strong>{notice.vmName}</strong>, so it was not {notice.tried === 'approve' ? 'approved' : 'rejected'}{' '}
          by you.
          {request ? (
            <>
              {' '}
              It is now <StatusBadge status={request.status} />
              {request.decidedBy ? <> (decided by {request.decidedBy})</> : null}.
            </>
          ) : null}
        </p>
      )}
      <p className="actions notice-actions">
        {notice.needsConnection ? (
          <>
            <Link href="/settings/vcenter">Set the vCenter connection</Link>{' '}
          </>
        ) : null}
        <Link href={`/requests/${notice.requestId}`}>Open {notice.vmName}</Link>{' '}
        <button type="button" className="button-secondary" onClick={onDismiss}>
          Dismiss
        </button>
      </p>
    </div>
  );
}
