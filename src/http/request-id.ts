import { randomUUID } from 'node:crypto';

// A client or proxy may pass its own id (x-request-id) so logs can be joined across hops; it goes into our logs,
// so only short, plain values are taken.
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's x-request-id when it is a sane value, else a new UUID. The id travels in the server context and
 * the GraphQL context (`requestId`), never in an AsyncLocalStorage: on Node 20 an active one adds work to every
 * promise in the process, and the live fan-out is made of promises.
 */
export function requestIdFrom(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && ACCEPTED.test(value) ? value : randomUUID();
}
