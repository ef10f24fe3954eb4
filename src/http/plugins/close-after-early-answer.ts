import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';

/**
 * An answer sent before the request's body has arrived in full (413 for a body over the limit, 401 before reading
 * one) closes the connection (Connection: close). Kept alive, the connection would hold the unread rest of the
 * body, which a client that stops uploading on an early answer never sends: the next request on it would wait for
 * those bytes until the connection was reset.
 */
export function useCloseAfterEarlyAnswer(): Plugin<{}, { req?: IncomingMessage }> {
  return {
    onResponse({ response, serverContext }) {
      const req = serverContext.req;
      if (req && !req.complete) response.headers.set('connection', 'close');
    },
  };
}
