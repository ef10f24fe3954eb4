import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import type { Session } from '../auth/session.ts';
import { portalCache } from './cache.ts';
import { createConnectionStatus, type ConnectionStatusStore } from './connection-status.ts';
import { newestVersionsExchange } from './newest-versions.ts';
import { resumableSubscriptions } from './resumable.ts';

export interface PortalClient {
  client: Client;
  connection: ConnectionStatusStore;
  dispose(): void;
}

/**
 * One urql client per session: queries and mutations over HTTP, subscriptions over graphql-ws, both with the
 * session's bearer token. The socket opens with the first subscription and retries for good after a drop.
 */
export function createPortalClient(session: () => Session | null): PortalClient {
  const connection = createConnectionStatus();
  const url = new URL('/graphql', window.location.href);
  const wsUrl = url.href.replace(/^http/, 'ws');
  let everConnected = false;
  const ws = createWsClient({
    url: wsUrl,
    connectionParams: () => {
      const token = session()?.token;
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    // Open from the start: the layout keeps one subscription for the session, and the indicator shows the socket.
    lazy: false,
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Any close but a deliberate one is worth retrying: a restarted server comes back on the same address.
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 5_000) * (0.5 + Math.random() / 2)));
    },
    on: {
      connecting: () => connection.set(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        everConnected = true;
        connection.set('live');
      },
      closed: () => {
        if (everConnected) connection.set('reconnecting');
      },
    },
  });
  const client = new Client({
    url: url.href,
    // newestVersionsExchange sits between the cache and the transports: no late answer writes an older request.
    exchanges: [portalCache(), newestVersionsExchange(), fetchExchange, subscriptionExchange({ forwardSubscription: resumableSubscriptions(ws) })],
    fetchOptions: (): RequestInit => {
      const token = session()?.token;
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return { headers };
    },
    requestPolicy: 'cache-and-network',
  });
  return {
    client,
    connection,
    dispose: () => void ws.dispose(),
  };
}
