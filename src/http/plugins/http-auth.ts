import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../auth.ts';
import { unauthenticated } from '../errors.ts';
import type { ServerContext } from '../server-context.ts';

/**
 * Every GraphQL request over HTTP (POST, GET and SSE) needs a valid bearer token, checked before the body is read
 * or parsed. The GraphiQL page is served before yoga (server.ts, graphiql.ts), so it opens without a token; the
 * user picks a demo user or pastes the Authorization header in its headers tab. WebSocket operations are authenticated once, at
 * connection_init (see ../ws.ts), and arrive here with the principal already set.
 */
export function useHttpAuth(authenticator: Authenticator, onRefused?: () => void): Plugin<{}, ServerContext> {
  return {
    async onRequestParse({ request, serverContext }) {
      const result = await authenticator.authenticate(request.headers.get('authorization'));
      if (!result.ok) {
        onRefused?.();
        throw unauthenticated(result);
      }
      serverContext.principal = result.principal;
    },
  };
}
