import { useEffect, useId, useRef, useState } from 'react';

/**
 * Confirms removing the connection in a modal <dialog>: the page behind it is inert, Escape keeps the connection, and
 * the page puts focus back where it belongs when it closes.
 */
export function RemoveConnectionDialog({ onRemove, onClose }: { onRemove(): Promise<string | null>; onClose(removed: boolean): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const removed = useRef(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const id = useId();

  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => {
      if (element?.open) element.close();
    };
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-about`}
      onClose={() => {
        if (!dialog.current?.open) onClose(removed.current);
      }}
    >
      <h2 id={`${id}-title`}>Remove the vCenter connection?</h2>
      <p id={`${id}-about`}>
        The settings and the stored password are deleted. VMs already made stay in vCenter; new requests cannot be
        provisioned until a connection is set again (or, where this server allows it, are simulated).
      </p>
      <div role="alert" className={problem ? 'form-alert' : undefined}>
        {problem}
      </div>
      <div className="dialog-actions">
        <button
          type="button"
          className="button-danger"
          disabled={sending}
          onClick={async () => {
            setSending(true);
            const outcome = await onRemove();
            setSending(false);
            if (outcome) {
              setProblem(outcome);
              return;
            }
            removed.current = true;
            dialog.current?.close();
          }}
        >
          {sending ? 'Removing…' : 'Remove connection'}
        </button>
        {/* The safe choice has focus: Enter alone removes nothing. */}
        <button type="button" className="button-secondary" autoFocus onClick={() => dialog.current?.close()}>
          Keep it
        </button>
      </div>
    </dialog>
  );
}
