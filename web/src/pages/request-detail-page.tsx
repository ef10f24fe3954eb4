import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { Link, useParams } from 'wouter';
import { useSession } from '../auth/session.ts';
import { DateTime } from '../components/date-time.tsx';
import { StageSteps } from '../components/stage-steps.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import type { RequestDetailFragment, TimelineEntryType } from '../gql/graphql.ts';
import { CancelRequest, RequestDetailQuery, RequestDetailUpdates } from '../graphql/request-detail.ts';
import { VmSection } from './request-detail/vm-section.tsx';

const TIMELINE_LABELS: Record<TimelineEntryType, string> = {
  CREATED: 'Requested',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  CANCELLED: 'Cancelled',
  PROVISIONING_STARTED: 'Provisioning started',
  PROVISIONING_PROGRESSED: 'Provisioning progressed',
  PROVISIONING_RETRY_SCHEDULED: 'Retry scheduled',
  PROVISIONING_FAILED: 'Provisioning failed',
  READY: 'Ready',
  POWER_OFF_REQUESTED: 'Power off requested',
  POWER_ON_REQUESTED: 'Power on requested',
  POWERED_OFF: 'Powered off',
  POWERED_ON: 'Powered on',
  POWER_STATE_OBSERVED: 'Power changed in vCenter',
  OPERATION_FAILED: 'Operation failed',
  DECOMMISSION_REQUESTED: 'Decommission requested',
  DECOMMISSIONED: 'Decommissioned',
  DELETION_OBSERVED: 'Deleted in vCenter',
};

/**
 * One request, live: the query shows it at once, and `vmRequestUpdated` then writes each newer version into the
 * cache (stage by stage, then a READY VM's power changes and decommissioning, until a final status), which repaints
 * this page and every list showing the request.
 */
export function RequestDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const [{ data, error }] = useQuery({ query: RequestDetailQuery, variables: { id } });
  // Subscribed once the query answered, found or not. Right after a create the read model may not have the request
  // yet; the subscription also asks the event store, delivers the first version once it is projected (the cache then
  // answers the query), and its NOT_FOUND is what says that a request does not exist.
  const [{ error: liveError }] = useSubscription({ query: RequestDetailUpdates, variables: { id }, pause: !data });

  if (error && !data) {
    return (
      <section>
        <h1>Request</h1>
        <p className="error" role="alert">
          The request could not be loaded: {error.message}
        </p>
      </section>
    );
  }
  if (!data) return <p role="status">Loading…</p>;
  if (!data.vmRequest) {
    if (!liveError) return <p role="status">Loading…</p>;
    if (!liveError.graphQLErrors.some((failure) => failure.extensions?.['code'] === 'NOT_FOUND')) {
      return (
        <section>
          <h1>Request</h1>
          <p className="error" role="alert">
            The request could not be loaded: {liveError.message}
          </p>
        </section>
      );
    }
    return (
      <section>
        <h1>Request not found</h1>
        <p>
          There is no request with this id, or it is not yours to see. <Link href="/">Back to my requests</Link>
        </p>
      </section>
    );
  }
  return <RequestDetail request={data.vmRequest} />;
}

function RequestDetail({ request }: { request: RequestDetailFragment }) {
  const session = useSession();
  const mayCancel = request.status === 'PENDING' && session?.claims.sub === request.requesterId;
  const statusRef = useRef<HTMLDivElement>(null);
  return (
    <article className="request-detail">
      <p className="breadcrumb">
        <Link href="/">My requests</Link>
      </p>
      <div className="page-head">
        <h1>{request.vmName}</h1>
        <div ref={statusRef} tabIndex={-1} role="status" aria-live="polite" className="detail-status">
          <StatusBadge status={request.status} />
        </div>
      </div>

      <dl className="facts card">
        <div>
          <dt>Project</dt>
          <dd>{request.project.name}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>
            {request.spec.size}: {request.spec.vcpus} vCPU, {request.spec.memoryGb} GB RAM, {request.spec.diskGb} GB disk,{' '}
            {request.spec.monthlyCostEur} €/month
          </dd>
        </div>
        <div>
          <dt>Requested</dt>
          <dd>
            <DateTime iso={request.createdAt} /> by {request.requesterName ?? request.requesterId}
          </dd>
        </div>
        <div>
          <dt>Justification</dt>
          <dd className="pre">{request.justification}</dd>
        </div>
      </dl>

      {['APPROVED', 'PROVISIONING', 'READY', 'FAILED', 'DECOMMISSIONED'].includes(request.status) ? <Provisioning request={request} /> : null}
      {request.status === 'READY' ? <VmSection request={request} /> : null}
      <Outcome request={request} />
      {mayCancel ? <CancelForm request={request} onCancelled={() => statusRef.current?.focus()} /> : null}
      <Timeline request={request} />
      <AuditTrail request={request} />
    </article>
  );
}

function Provisioning({ request }: { request: RequestDetailFragment }) {
  return (
    <section className="card" aria-labelledby="provisioning-heading">
      <h2 id="provisioning-heading">Provisioning</h2>
      {request.status !== 'FAILED' && request.status !== 'DECOMMISSIONED' ? <StageSteps status={request.status} stage={request.provisioningStage} /> : null}
      <dl className="facts">
        {request.provisioningAttempt !== null ? (
          <div>
            <dt>Attempt</dt>
            <dd data-testid="attempt">{request.provisioningAttempt}</dd>
          </div>
        ) : null}
        {request.nextRetryAt ? (
          <div>
            <dt>Next attempt</dt>
            <dd>
              <DateTime iso={request.nextRetryAt} />
            </dd>
          </div>
        ) : null}
        {request.vmwareVmId ? (
          <div>
            <dt>VM id</dt>
            <dd>
              <code>{request.vmwareVmId}</code>
            </dd>
          </div>
        ) : null}
        {request.hostname ? (
          <div>
            <dt>Hostname</dt>
            <dd>
              <code data-testid="hostname">{request.hostname}</code>
            </dd>
          </div>
        ) : null}
        {request.ipAddress ? (
          <div>
            <dt>IP address</dt>
            <dd>
              <code data-testid="ip-address">{request.ipAddress}</code>
            </dd>
          </div>
        ) : null}
      </dl>
      {request.provisioningWarning ? <p className="hint">Warning: {request.provisioningWarning}</p> : null}
    </section>
  );
}

function Outcome({ request }: { request: RequestDetailFragment }) {
  if (request.status === 'FAILED') {
    return (
      <section className="card outcome outcome-bad" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">Provisioning failed</h2>
        <p>
          <strong>{request.failureCode ?? 'UNKNOWN'}</strong>
          {request.failureMessage ? `: ${request.failureMessage}` : null}
        </p>
      </section>
    );
  }
  if (request.status === 'REJECTED') {
    return (
      <section className="card outcome outcome-bad" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">Rejected</h2>
        <p>{request.rejectionReason ?? 'No reason was given.'}</p>
      </section>
    );
  }
  if (request.status === 'DECOMMISSIONED') {
    const deletedOutside = request.timeline.some((entry) => entry.type === 'DELETION_OBSERVED');
    return (
      <section className="card outcome" aria-labelledby="outcome-heading" data-outcome="DECOMMISSIONED">
        <h2 id="outcome-heading">Decommissioned</h2>
        <p>
          {deletedOutside ? 'The VM was found deleted in vCenter, outside DVMM.' : 'The VM was deleted as requested.'} Its quota is
          released; this request is final.
        </p>
        {request.decommissionedAt ? (
          <dl className="facts">
            <div>
              <dt>Decommissioned</dt>
              <dd data-decommissioned-at>
                <DateTime iso={request.decommissionedAt} />
              </dd>
            </div>
          </dl>
        ) : null}
      </section>
    );
  }
  if (request.status === 'CANCELLED') {
    return (
      <section className="card outcome" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">Cancelled</h2>
        <p>{request.cancellationReason ? `Reason: ${request.cancellationReason}` : 'No reason was given.'}</p>
      </section>
    );
  }
  return null;
}

function CancelForm({ request, onCancelled }: { request: RequestDetailFragment; onCancelled: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  // One key per confirmation: a double click or a retried request cancels once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [{ fetching }, cancel] = useMutation(CancelRequest);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const ids = { reason: useId(), problem: useId() };
  useEffect(() => {
    if (confirming) reasonRef.current?.focus();
  }, [confirming]);

  if (!confirming) {
    return (
      <p>
        <button ref={openRef} type="button" className="button-danger" onClick={() => setConfirming(true)}>
          Cancel this request…
        </button>
      </p>
    );
  }
  const submit = async () => {
    setProblem(null);
    const result = await cancel({ input: { id: request.id, reason: reason.trim() || null, idempotencyKey } });
    const outcome = result.data?.cancelVmRequest;
    if (outcome?.__typename === 'CancelVmRequestPayload') {
      onCancelled();
      return;
    }
    setIdempotencyKey(crypto.randomUUID());
    if (!outcome) setProblem(result.error?.message ?? 'The request could not be cancelled.');
    else if (outcome.__typename === 'ValidationError') setProblem(outcome.fields[0]?.message ?? outcome.message);
    else setProblem(outcome.message);
  };
  return (
    <form
      className="card cancel-form"
      aria-labelledby="cancel-heading"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2 id="cancel-heading">Cancel this request?</h2>
      <p>It will not be provisioned. This cannot be undone.</p>
      <div className="field">
        <label htmlFor={ids.reason}>Reason (optional)</label>
        <textarea
          ref={reasonRef}
          id={ids.reason}
          rows={3}
          maxLength={500}
          value={reason}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? ids.problem : undefined}
          onChange={(event) => setReason(event.target.value)}
        />
        <span className="hint">{reason.length}/500</span>
        {problem ? (
          <p id={ids.problem} className="error" role="alert">
            {problem}
          </p>
        ) : null}
      </div>
      <div className="actions">
        <button type="submit" className="button-danger" disabled={fetching}>
          {fetching ? 'Cancelling…' : 'Confirm cancellation'}
        </button>
        <button
          type="button"
          className="button-secondary"
          onClick={() => {
            setConfirming(false);
            setProblem(null);
          }}
        >
          Keep the request
        </button>
      </div>
    </form>
  );
}

function Timeline({ request }: { request: RequestDetailFragment }) {
  return (
    <section className="card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <ol className="timeline" aria-live="polite">
        {request.timeline.map((entry, index) => (
          <li key={`${entry.occurredAt}-${index}`} data-timeline-type={entry.type}>
            <strong>{TIMELINE_LABELS[entry.type]}</strong> <DateTime iso={entry.occurredAt} />
            {entry.actorId ? <span className="hint"> by {entry.actorId}</span> : null}
            {entry.details ? <div className="hint">{entry.details}</div> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function AuditTrail({ request }: { request: RequestDetailFragment }) {
  const trail = request.auditTrail;
  return (
    <section className="card" aria-labelledby="audit-heading">
      <div className="page-head">
        <h2 id="audit-heading">Audit trail</h2>
        {trail.verified ? (
          <span className="badge verified" data-verified="true">
            ✓ Verified
          </span>
        ) : (
          <span className="badge not-verified" data-verified="false">
            ✗ Not verified
          </span>
        )}
      </div>
      <p className="hint">
        {trail.verified
          ? 'The hash chain of these events is intact and matches the event log.'
          : 'These events could not be verified against the event log: report this to an administrator.'}
        {trail.sealedUpTo ? ` Signed seal up to position ${trail.sealedUpTo}.` : ''}
      </p>
      <table>
        <caption className="visually-hidden">Stored events of this request</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Recorded</th>
            <th scope="col">Position</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {trail.events.map((event) => (
            <tr key={event.position}>
              <td>{event.type}</td>
              <td>
                <DateTime iso={event.recordedAt} withRelative={false} />
              </td>
              <td>{event.position}</td>
              <td>
                <code className="hash" title={event.hash}>
                  {event.hash.slice(0, 16)}…
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
