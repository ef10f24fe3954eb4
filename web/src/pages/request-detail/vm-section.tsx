import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { DateTime } from '../../components/date-time.tsx';
import { OPERATION_LABELS, PowerBadge } from '../../components/power-badge.tsx';
import type { RequestDetailFragment, VmOperation } from '../../gql/graphql.ts';
import { DecommissionVm, PowerOffVm, PowerOnVm } from '../../graphql/request-detail.ts';
import { DecommissionDialog, type DialogProblem } from './decommission-dialog.tsx';
import { vmActions, vmStateWords } from './vm-state.ts';

type Outcome = { __typename: string; message?: string; fields?: { field: string; message: string }[] };

const DONE: Record<VmOperation, string> = { POWER_OFF: 'powered off', POWER_ON: 'powered on', DECOMMISSION: 'decommissioned' };

interface Refusal {
  key: number;
  tried: VmOperation;
  /** What the server said, or our sentence for a change made meanwhile. */
  text: string;
}

/**
 * A READY VM: its power state, Power off / Power on / Decommission, the operation under way, and the last one that
 * failed. Every figure is the request from the cache, which the page's subscription keeps current, so a change in
 * vCenter or by another person repaints it, refusal notices' "now" included. Each action is sent with the version
 * shown, so acting on a state someone else changed meanwhile is refused (ConcurrencyError) rather than done blindly.
 */
export function VmSection({ request }: { request: RequestDetailFragment }) {
  const [sending, setSending] = useState<VmOperation | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  // The version the person decides on: the one shown when they opened the dialog; after a change made meanwhile, the
  // one shown when they confirm again (the dialog shows the state live and has said that it changed).
  const [confirming, setConfirming] = useState<{ version: number | 'shown' } | null>(null);
  const [, powerOff] = useMutation(PowerOffVm);
  const [, powerOn] = useMutation(PowerOnVm);
  const [, decommission] = useMutation(DecommissionVm);
  const stateRef = useRef<HTMLDivElement>(null);
  const decommissionRef = useRef<HTMLButtonElement>(null);
  const refusalKey = useRef(0);
  const actions = vmActions(request);
  const failure = request.lastOperationFailure;

  /** Says how it went; null when accepted, else the refusal's words (for the dialog, which shows them itself). */
  function settle(tried: VmOperation, outcome: Outcome | undefined, failure: string | undefined): string | null {
    if (!outcome) return `The server could not be reached (${failure ?? 'no answer'}). Nothing changed; try again.`;
    // Accepted: the state shows the operation pending (and the live region says so).
    if (outcome.__typename.endsWith('Payload')) return null;
    if (outcome.__typename === 'ConcurrencyError') {
      return `Someone else changed this VM since you looked at it, so it was not ${DONE[tried]}.`;
    }
    if (outcome.__typename === 'ValidationError') return outcome.fields?.[0]?.message ?? outcome.message ?? 'Invalid input.';
    return `Not ${DONE[tried]}: ${outcome.message ?? outcome.__typename}`;
  }
  const refuse = (tried: VmOperation, text: string) => setRefusal({ key: ++refusalKey.current, tried, text });

  async function onPower(operation: 'POWER_OFF' | 'POWER_ON') {
    setRefusal(null);
    setSending(operation);
    const input = { id: request.id, expectedVersion: request.version, idempotencyKey: crypto.randomUUID() };
    const result = operation === 'POWER_OFF' ? await powerOff({ input }) : await powerOn({ input });
    const outcome = result.data ? ('powerOffVm' in result.data ? result.data.powerOffVm : result.data.powerOnVm) : undefined;
    setSending(null);
    const problem = settle(operation, outcome, result.error?.message);
    if (problem) refuse(operation, problem);
    // The pressed button is disabled now (an operation is pending): keep focus on the state that answers.
    stateRef.current?.focus();
  }

  async function onDecommission(reason: string, version: number): Promise<DialogProblem | null> {
    setRefusal(null);
    setSending('DECOMMISSION');
    const input = { id: request.id, expectedVersion: version, reason: reason.trim() || null, idempotencyKey: crypto.randomUUID() };
    const result = await decommission({ input });
    setSending(null);
    const outcome = result.data?.decommissionVm;
    const problem = settle('DECOMMISSION', outcome, result.error?.message);
    if (!problem) return null;
    if (outcome?.__typename === 'ConcurrencyError') {
      setConfirming({ version: 'shown' });
      return { text: `${problem} Confirm again to decommission it as it is now.` };
    }
    if (outcome?.__typename === 'ValidationError') return { field: 'reason', text: problem };
    if (!outcome) return { text: problem };
    // Decommissioned or being decommissioned already: nothing to decide in the dialog any more.
    refuse('DECOMMISSION', problem);
    setConfirming(null);
    return null;
  }

  return (
    <section className="card vm-section" aria-labelledby="vm-heading">
      <h2 id="vm-heading">Virtual machine</h2>
      <div ref={stateRef} tabIndex={-1} role="status" aria-live="polite" className="vm-state" data-vm-state>
        <PowerBadge powerState={request.powerState} pending={request.pendingOperation} />
      </div>

      {failure ? (
        // While another attempt is under way, the failure is history: said as such, without the alarm.
        <div className={request.pendingOperation ? 'notice operation-failure' : 'form-alert operation-failure'} data-operation-failure={failure.operation}>
          <p>
            {request.pendingOperation ? 'Earlier: ' : null}
            <strong>{OPERATION_LABELS[failure.operation]} failed</strong> after {failure.attempts}{' '}
            {failure.attempts === 1 ? 'attempt' : 'attempts'}: <code>{failure.code}</code> {failure.message}
          </p>
          {/* A mutation's answer has no time for an earlier failure (the schema says so); the feed brings it. */}
          {failure.at || !request.pendingOperation ? (
            <p className="hint">
              {failure.at ? (
                <>
                  Recorded <DateTime iso={failure.at} />.{' '}
                </>
              ) : null}
              {request.pendingOperation ? null : 'The VM stays as it was; you may try again.'}
            </p>
          ) : null}
        </div>
      ) : null}

      {refusal ? (
        <div className="notice" role="alert" data-refusal={refusal.tried}>
          <p>{refusal.text}</p>
          <p>
            It is now <strong data-state-now>{vmStateWords(request)}</strong>.
          </p>
          <button type="button" className="button-secondary" onClick={() => setRefusal(null)}>
            Dismiss
          </button>
        </div>
      ) : null}

      <div className="inline-actions vm-actions">
        {actions.powerOff ? (
          <button type="button" disabled={!actions.powerEnabled || sending !== null} onClick={() => void onPower('POWER_OFF')}>
            {sending === 'POWER_OFF' ? 'Sending…' : 'Power off'}
          </button>
        ) : null}
        {actions.powerOn ? (
          <button type="button" disabled={!actions.powerEnabled || sending !== null} onClick={() => void onPower('POWER_ON')}>
            {sending === 'POWER_ON' ? 'Sending…' : 'Power on'}
          </button>
        ) : null}
        <button
          ref={decommissionRef}
          type="button"
          className="button-danger"
          disabled={!actions.decommissionEnabled || sending !== null}
          onClick={() => setConfirming({ version: request.version })}
        >
          Decommission…
        </button>
      </div>
      {request.pendingOperation && request.pendingOperation !== 'DECOMMISSION' ? (
        <p className="hint">Power buttons wait until this is done; decommissioning may still be asked for.</p>
      ) : null}

      {confirming ? (
        <DecommissionDialog
          vmName={request.vmName}
          stateNow={vmStateWords(request)}
          onConfirm={(reason) => onDecommission(reason, confirming.version === 'shown' ? request.version : confirming.version)}
          onClose={(confirmed) => {
            setConfirming(null);
            // Accepted: the button is disabled now, so the state that follows gets focus; kept: back to the button.
            if (confirmed || decommissionRef.current?.disabled) stateRef.current?.focus();
            else decommissionRef.current?.focus();
          }}
        />
      ) : null}
    </section>
  );
}
