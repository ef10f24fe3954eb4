import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

// A client or proxy may pass its own id (x-request-id) so logs can be joined across hops; it goes into our logs,
// so only short, plain values are taken.
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is a sane value, else a new UUID. */
export function requestIdFrom(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && ACCEPTED.test(value) ? value : randomUUID();
}

/**
 * The id of the operation being served, for code that has no GraphQL context at hand: yoga's error masking
 * receives only the error. Each HTTP request and each WebSocket operation runs inside `withRequestId`.
 */
const current = new AsyncLocalStorage<string>();

export const withRequestId = <T>(requestId: string, fn: () => T): T => current.run(requestId, fn);

export const currentRequestId = (): string | undefined => current.getStore();
