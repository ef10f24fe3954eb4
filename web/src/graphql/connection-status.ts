import { useSyncExternalStore } from 'react';

/**
 * The live socket's state for the connection indicator: `connecting` before the first connection, `live` while
 * connected, `reconnecting` after a drop until the socket is back (subscriptions then resume where they left off).
 */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting';

type Listener = () => void;

export interface ConnectionStatusStore {
  get(): ConnectionStatus;
  set(status: ConnectionStatus): void;
  subscribe(listener: Listener): () => void;
}

export function createConnectionStatus(): ConnectionStatusStore {
  let status: ConnectionStatus = 'connecting';
  const listeners = new Set<Listener>();
  return {
    get: () => status,
    set(next) {
      if (next === status) return;
      status = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useConnectionStatus(store: ConnectionStatusStore): ConnectionStatus {
  return useSyncExternalStore(store.subscribe, store.get);
}
