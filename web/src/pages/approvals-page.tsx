import { useRef, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { useLiveStart } from '../live/live-start.ts';
import { Link } from 'wouter';
import { useApprovalsAccess } from '../auth/approvals-access.ts';
import { useSession } from '../auth/session.ts';
import { TimeAgo } from '../components/time-ago.tsx';
import type { PendingApprovalFragment as Row } from '../gql/graphql.ts';
import {
  ApprovalQueueChanges,
  ApproveRequest,
  PendingApprovalsQuery,
  QUEUE_PAGE,
  RejectRequest,
} from '../graphql/pending-approvals.ts';
import { quotaExceededMessage } from '../graphql/quota-refusal.ts';
import { DecisionNotice, type Notice } from './approvals/decision-notice.tsx';
import { RejectDialog } from './approvals/reject-dialog.tsx';

/**
 * The approvals queue: tenant admins decide on it, project admins watch their projects' part of it (read only).
 * Anyone else gets a plain "not allowed", and the page asks the server for no queue.
 */
export function ApprovalsPage() {
  const session = useSession();
  const access = useApprovalsAccess();
  const me = session?.claims.sub ?? '';
  if (access === 'decide') return <ApprovalQueue me={me} readOnly={false} />;
  if (access === 'watch') return <ApprovalQueue me={me} readOnly />;
  return (
    <section>
      <h1>Approvals</h1>
      {access === 'checking' ? (
        <p aria-busy="true">Checking your roles…</p>
      ) : (
        <p className="notice" role="status">
          You are not allowed to see this page: tenant admins approve or reject requests, and project admins watch the
          requests of their projects. <Link href="/">Back to my requests</Link>
        </p>
      )}
    </section>
  );
}

type Outcome = { __typename: string; message?: string; fields?: { field: string; message: string }[] | null };
/** Set on a QuotaExceededError: the item itself says why it cannot be approved now. */
type QuotaFigures = Parameters<typeof quotaExceededMessage>[0];

function ApprovalQueue({ me, readOnly }: { me: string; readOnly: boolean }) {
  // The queue's own feed brings new requests complete (justification, spec), so they join without a refetch. It
  // starts where the feed stood before the queue was read, so a request made in between is not missed.
  const since = useLiveStart();
  const [{ data, error, fetching }] = useQuery({ query: PendingApprovalsQuery, variables: { first: QUEUE_PAGE }, pause: since === null });
  useSubscription({ query: ApprovalQueueChanges, variables: { since }, pause: since === null });
  const [, approve] = useMutation(ApproveRequest);
  const [, reject] = useMutation(RejectRequest);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [rejecting, setRejecting] = useState<Row | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [done, setDone] = useState('');
  // Per request: approving it would exceed its project's quota (shown on its item until the next try).
  const [overQuota, setOverQuota] = useState<ReadonlyMap<string, string>>(new Map());
  const heading = useRef<HTMLHeadingElement>(null);
  const noticeKey = useRef(0);

  const queue = data?.pendingApprovals;
  const rows = queue?.edges.map((edge) => edge.node).filter((row) => row.status === 'PENDING') ?? [];

  const mark = (id: string, on: boolean) =>
    setBusy((before) => {
      const next = new Set(before);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  /** Says what happened; a refusal because someone acted first becomes a notice that shows the request's new state. */
  function settle(row: Row, tried: Notice['tried'], outcome: Outcome | undefined, failure: string | undefined): string | null {
    if (failure || !outcome) {
      return `The server could not be reached (${failure ?? 'no answer'}). Nothing changed; try again.`;
    }
    if (outcome.__typename === 'ApproveVmRequestPayload' || outcome.__typename === 'RejectVmRequestPayload') {
      setDone(`${row.vmName} ${tried === 'approve' ? 'approved' : 'rejected'}.`);
      heading.current?.focus();
      return null;
    }
    if (outcome.__typename === 'QuotaExceededError') {
      const message = quotaExceededMessage(outcome as Outcome & QuotaFigures);
      setOverQuota((before) => new Map(before).set(row.id, message));
      return null;
    }
    if (outcome.__typename === 'ValidationError') {
      return outcome.fields?.find((field) => field.field === 'reason')?.message ?? outcome.message ?? 'Invalid input.';
    }
    const raced = outcome.__typename === 'ConcurrencyError' || outcome.__typename === 'InvalidStateError';
    setNotices((before) => [
      ...before,
      {
        key: ++noticeKey.current,
        requestId: row.id,
        vmName: row.vmName,
        tried,
        ...(raced ? {} : { message: outcome.message ?? outcome.__typename }),
        ...(outcome.__typename === 'ProvisioningNotConfiguredError' ? { needsConnection: true } : {}),
      },
    ]);
    return null;
  }

  async function onApprove(row: Row) {
    mark(row.id, true);
    setDone('');
    setOverQuota((before) => {
      const next = new Map(before);
      next.delete(row.id);
      return next;
    });
    const result = await approve({ input: { id: row.id, expectedVersion: row.version } });
    mark(row.id, false);
    settle(row, 'approve', result.data?.approveVmRequest, result.error?.message);
  }

  async function onReject(row: Row, reason: string): Promise<string | null> {
    setDone('');
    const result = await reject({ input: { id: row.id, expectedVersion: row.version, reason } });
    const outcome = result.data?.rejectVmRequest;
    const problem = settle(row, 'reject', outcome, result.error?.message);
    if (!problem) setRejecting(null);
    return problem;
  }

  return (
    <section className="approvals">
      <h1 ref={heading} tabIndex={-1}>
        Approvals
      </h1>
      {readOnly ? (
        <p className="hint">
          Requests of the projects you administer that are waiting for a decision and that you can see, oldest first.
          Tenant admins approve or reject them; here you follow them, read-only. A decided request leaves the list.
        </p>
      ) : (
        <p className="hint">
          Requests waiting for a decision, oldest first. New requests appear here as they are made; a request someone
          else decides leaves the queue.
        </p>
      )}
      <p role="status" className="done">
        {done}
      </p>
      {notices.map((notice) => (
        <DecisionNotice
          key={notice.key}
          notice={notice}
          onDismiss={() => {
            setNotices((before) => before.filter((each) => each.key !== notice.key));
            heading.current?.focus();
          }}
        />
      ))}
      {error && !queue ? <p className="error">Could not load the queue: {error.message}</p> : null}
      {!queue && (fetching || since === null) ? <p aria-busy="true">Loading the queue…</p> : null}
      {queue ? (
        <>
          <h2 className="queue-count">
            {queue.totalCount === 0 ? 'Nothing waiting' : `${queue.totalCount} waiting`}
            {queue.pageInfo.hasNextPage ? ` (the oldest ${rows.length} shown)` : ''}
          </h2>
          {rows.length === 0 ? <p className="empty">No request is waiting for a decision. New ones appear here.</p> : null}
          <ul className="queue" aria-label="Requests waiting for a decision">
            {rows.map((row) => (
              <QueueItem
                key={row.id}
                row={row}
                mine={row.requesterId === me}
                readOnly={readOnly}
                busy={busy.has(row.id)}
                quotaProblem={overQuota.get(row.id) ?? null}
                onApprove={() => void onApprove(row)}
                onReject={() => setRejecting(row)}
              />
            ))}
          </ul>
        </>
      ) : null}
      {rejecting ? (
        <RejectDialog vmName={rejecting.vmName} onReject={(reason) => onReject(rejecting, reason)} onClose={() => setRejecting(null)} />
      ) : null}
    </section>
  );
}

const euro = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });

interface QueueItemProps {
  row: Row;
  mine: boolean;
  /** A project admin's view: no decision buttons. */
  readOnly: boolean;
  busy: boolean;
  /** Why approving it was refused: it would exceed its project's quota. */
  quotaProblem: string | null;
  onApprove(): void;
  onReject(): void;
}

function QueueItem({ row, mine, readOnly, busy, quotaProblem, onApprove, onReject }: QueueItemProps) {
  const titleId = `queue-${row.id}`;
  return (
    <li className="card queue-item" aria-labelledby={titleId}>
      <div className="queue-head">
        <h3 id={titleId}>
          <Link href={`/requests/${row.id}`}>{row.vmName}</Link>
        </h3>
        <span className={`badge status-${row.status}`}>{row.status}</span>
        <span className="hint">
          requested <TimeAgo iso={row.createdAt} />
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>Requester</dt>
          <dd>
            {row.requesterName ?? row.requesterId}
            {row.requesterEmail ? <span className="hint"> ({row.requesterEmail})</span> : null}
          </dd>
        </div>
        <div>
          <dt>Project</dt>
          <dd>
            <Link href={`/projects/${row.project.id}`}>{row.project.name}</Link>
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>
            {row.size}: {row.spec.vcpus} vCPU, {row.spec.memoryGb} GB RAM, {row.spec.diskGb} GB disk,{' '}
            {euro.format(row.spec.monthlyCostEur)}/month
          </dd>
        </div>
      </dl>
      <p className="justification">
        <span className="visually-hidden">Justification: </span>
        {row.justification}
      </p>
      <div role="alert" className={quotaProblem ? 'form-alert' : undefined}>
        {quotaProblem ? (
          <>
            <strong>Not approved.</strong> {quotaProblem} Reject it, or raise the limit on the{' '}
            <Link href={`/projects/${row.project.id}`}>project's page</Link>.
          </>
        ) : null}
      </div>
      {readOnly ? (
        <p className="hint">Waiting for a tenant admin to decide.</p>
      ) : mine ? (
        <p className="hint">Your own request: another admin decides it.</p>
      ) : (
        <div className="queue-actions">
          <button type="button" onClick={onApprove} disabled={busy}>
            {busy ? 'Approving…' : 'Approve'}
            <span className="visually-hidden"> {row.vmName}</span>
          </button>
          <button type="button" className="button-secondary" onClick={onReject} disabled={busy}>
            Reject…<span className="visually-hidden"> {row.vmName}</span>
          </button>
        </div>
      )}
    </li>
  );
}
