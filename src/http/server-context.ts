import type { Principal } from '../domain/principal.ts';

/**
 * What the transport hands to yoga for each operation, before the GraphQL context is built: the request id, and
 * the principal once the token is verified (over HTTP in the auth plugin, over WebSocket at connection_init).
 */
export interface ServerContext {
  requestId: string;
  principal?: Principal;
}
