import { type ConnectionStatusStore, useConnectionStatus } from '../graphql/connection-status.ts';

const LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' } as const;

/** Whether changes arrive live; announced politely to screen readers when it changes. */
export function ConnectionIndicator({ store }: { store: ConnectionStatusStore }) {
  const status = useConnectionStatus(store);
  return (
    <span className={`connection connection-${status}`} role="status" aria-live="polite" data-connection={status}>
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
