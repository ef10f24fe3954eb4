import { type FormEvent, useEffect, useId, useRef, useState } from 'react';

export const DECOMMISSION_REASON_MAX = 500;

/** What the dialog shows: the reason field's error, or a refusal of the whole. */
export interface DialogProblem {
  text: string;
  field?: 'reason';
}

export interface DecommissionDialogProps {
  vmName: string;
  /** The VM's state now, in words ("On", "Off, powering on…"): it may change while the dialog is open. */
  stateNow: string;
  /**
   * Sends the decommission; resolves with what to show in the dialog (the reason's error, or why it was not done,
   * e.g. a change made meanwhile), or null when the dialog may close.
   */
  onConfirm(reason: string): Promise<DialogProblem | null>;
  /** The dialog closed (confirmed, kept, or Escape); `confirmed` says whether the decommission was accepted. */
  onClose(confirmed: boolean): void;
}

/**
 * Confirms a decommission, with an optional reason, in a modal <dialog> like the approvals page's reject dialog:
 * showModal() makes the page behind it inert, Escape closes it, and focus returns to where it came from.
 */
export function DecommissionDialog({ vmName, stateNow, onConfirm, onClose }: DecommissionDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const confirmed = useRef(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<DialogProblem | null>(null);
  const [sending, setSending] = useState(false);
  const id = useId();

  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => {
      if (element?.open) element.close();
    };
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if ([...reason].length > DECOMMISSION_REASON_MAX) {
      setProblem({ field: 'reason', text: `The reason may be at most ${DECOMMISSION_REASON_MAX} characters.` });
      return;
    }
    setSending(true);
    const outcome = await onConfirm(reason);
    setSending(false);
    if (outcome) {
      setProblem(outcome);
      return;
    }
    confirmed.current = true;
    dialog.current?.close();
  }

  const length = [...reason].length;
  const reasonProblem = problem?.field === 'reason' ? problem.text : null;
  const alert = problem && !problem.field ? problem.text : null;
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-about`}
      // A close event that finds the dialog open again is from a re-run effect (React's StrictMode), not the person.
      onClose={() => {
        if (!dialog.current?.open) onClose(confirmed.current);
      }}
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <h2 id={`${id}-title`}>Decommission {vmName}?</h2>
        <div id={`${id}-about`}>
          <p>
            DVMM deletes the VM and its disks in vCenter and releases its share of the project's quota. This cannot be
            undone: the VM would have to be requested again.
          </p>
          <p className="hint" data-state-now>
            The VM is {stateNow} now.
          </p>
        </div>
        <label htmlFor={`${id}-reason`}>Reason (optional)</label>
        <textarea
          id={`${id}-reason`}
          value={reason}
          onChange={(event) => {
            setReason(event.target.value);
            if (problem) setProblem(null);
          }}
          rows={3}
          maxLength={DECOMMISSION_REASON_MAX * 2}
          aria-invalid={reasonProblem ? true : undefined}
          aria-describedby={`${id}-rule ${reasonProblem ? `${id}-problem` : ''}`.trim()}
          autoFocus
        />
        <p id={`${id}-rule`} className="hint">
          Up to {DECOMMISSION_REASON_MAX} characters ({length} so far); it shows in the request's timeline.
        </p>
        {reasonProblem ? (
          <p id={`${id}-problem`} className="error field-error" role="alert">
            {reasonProblem}
          </p>
        ) : null}
        <div role="alert" className={alert ? 'form-alert' : undefined} data-dialog-alert>
          {alert}
        </div>
        <div className="dialog-actions">
          <button type="submit" className="button-danger" disabled={sending}>
            {sending ? 'Decommissioning…' : `Decommission ${vmName}`}
          </button>
          <button type="button" className="button-secondary" onClick={() => dialog.current?.close()}>
            Keep the VM
          </button>
        </div>
      </form>
    </dialog>
  );
}
