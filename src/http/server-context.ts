import type { Principal } from '../domain/principal.ts';

/**
 * What the transport hands to yoga for each operation, before the GraphQL context is built: the request id, and
 * the principal once the token is verified (over HTTP in the auth plugin, over WebSocket at connection_init).
 */
export interface ServerContext {
  requestId: string;
  principal?: Principal;
  /**
   * The newest cursor the client has seen (`DVMM-Min-Cursor`, or `minCursor` in graphql-ws connection params): its
   * queries read from a server whose read models include it (read-routing/plugin.ts).
   */
  minCursor?: string | null;
  /** The operation came over graphql-ws: there are no response headers to set. */
  webSocket?: boolean;
}
