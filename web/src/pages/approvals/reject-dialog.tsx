import { useEffect, useId, useRef, useState, type FormEvent } from 'react';

export const REASON_MIN = 10;
export const REASON_MAX = 500;

export interface RejectDialogProps {
  vmName: string;
  /** Sends the rejection; resolves with the reason field's error to show, or null when the dialog may close. */
  onReject(reason: string): Promise<string | null>;
  onClose(): void;
}

/**
 * Asks for the reason a request is rejected, in a modal <dialog>: showModal() makes the page behind it inert (focus
 * stays inside), Escape closes it, and focus goes back to the button that opened it (or, if that button is gone
 * because the request left the queue meanwhile, to the page's heading).
 */
export function RejectDialog({ vmName, onReject, onClose }: RejectDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const id = useId();

  useEffect(() => {
    opener.current = document.activeElement;
    const element = dialog.current;
    element?.showModal();
    return () => {
      if (element?.open) element.close();
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected) back.focus();
      else document.querySelector<HTMLElement>('main h1')?.focus();
    };
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const length = [...reason.trim()].length;
    if (length < REASON_MIN || length > REASON_MAX) {
      setError(`Give a reason of ${REASON_MIN} to ${REASON_MAX} characters: the requester reads it.`);
      return;
    }
    setSending(true);
    const problem = await onReject(reason);
    setSending(false);
    if (problem) setError(problem);
  }

  const length = [...reason.trim()].length;
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-about`}
      // Escape: the browser fires cancel and closes the dialog; the page unmounts it then. A close event that finds the
      // dialog open again is from a re-run effect (React's StrictMode), not from the person.
      onClose={() => {
        if (!dialog.current?.open) onClose();
      }}
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <h2 id={`${id}-title`}>Reject {vmName}</h2>
        <p id={`${id}-about`} className="hint">
          The requester sees the reason. Rejecting is final: they would need to request the VM again.
        </p>
        <label htmlFor={`${id}-reason`}>Reason</label>
        <textarea
          id={`${id}-reason`}
          value={reason}
          onChange={(event) => {
            setReason(event.target.value);
            if (error) setError(null);
          }}
          rows={4}
          maxLength={REASON_MAX * 2}
          aria-required="true"
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-rule ${error ? `${id}-error` : ''}`.trim()}
          autoFocus
        />
        <p id={`${id}-rule`} className="hint">
          {REASON_MIN} to {REASON_MAX} characters ({length} so far).
        </p>
        {error ? (
          <p id={`${id}-error`} className="error field-error">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="submit" className="button-danger" disabled={sending}>
            {sending ? 'Rejecting…' : 'Reject request'}
          </button>
          <button type="button" className="button-secondary" onClick={() => dialog.current?.close()}>
            Keep it pending
          </button>
        </div>
      </form>
    </dialog>
  );
}
