import type { SubscriptionOperation, SubscriptionForwarder } from '@urql/core';
import type { Client as WsClient } from 'graphql-ws';

/**
 * Forwards urql's subscriptions to graphql-ws so that a reconnect resumes each one after the last change it
 * delivered. graphql-ws re-sends a subscription's original payload when it reconnects; the payload here is an object
 * of our own whose `since` variable follows the newest `cursor` received, so the re-sent subscription asks the server
 * to replay what the drop missed (the server replays every version after `since`, then goes live). Written here
 * because neither urql nor graphql-ws knows which field of a result is the resume cursor.
 */
export function resumableSubscriptions(ws: WsClient): SubscriptionForwarder {
  return (operation: SubscriptionOperation) => ({
    subscribe(sink) {
      const variables: Record<string, unknown> = { ...(operation.variables as Record<string, unknown> | undefined) };
      const payload = { query: operation.query ?? '', variables, operationName: operation.operationName ?? null, extensions: operation.extensions ?? {} };
      const resumes = 'since' in variables;
      const unsubscribe = ws.subscribe(payload, {
        next(result) {
          if (resumes) {
            const cursor = cursorOf(result.data);
            if (cursor) variables.since = cursor;
          }
          sink.next(result as Parameters<typeof sink.next>[0]);
        },
        error: (error) => sink.error(error),
        complete: () => sink.complete(),
      });
      return { unsubscribe };
    },
  });
}

/** The `cursor` of a subscription's single root field, e.g. `{ vmRequestChanges: { cursor } }`. */
function cursorOf(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  for (const value of Object.values(data)) {
    if (value && typeof value === 'object' && typeof (value as { cursor?: unknown }).cursor === 'string') return (value as { cursor: string }).cursor;
  }
  return null;
}
