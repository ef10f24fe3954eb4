import { GraphQLError } from 'graphql';
import { isConnectionError } from '../db/connection-errors.ts';
import { liveErrorOf, liveErrorToGraphQL } from '../graphql/errors/live.ts';
import type { AuthResult } from './auth.ts';
import type { Logger } from './logger.ts';

/** api.md: a refused token is a GraphQL error with code UNAUTHENTICATED and HTTP status 401. */
export function unauthenticated(failure: Extract<AuthResult, { ok: false }>): GraphQLError {
  return new GraphQLError(failure.message, {
    extensions: {
      code: 'UNAUTHENTICATED',
      reason: failure.reason,
      // Read by yoga for the status line and headers, then left out of the response body.
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    },
  });
}

export const UNEXPECTED_MESSAGE = 'Unexpected error.';

/** What a client is told to wait before retrying during a database outage (the probe looks every half second). */
export const RETRY_AFTER_SECONDS = 2;
export const SERVICE_UNAVAILABLE_MESSAGE = 'The service is unavailable for a moment (its database cannot be reached). Retry shortly.';

/**
 * api.md: the database cannot be reached (an outage, a restart). HTTP 503 with Retry-After; `retryable: true` says the
 * same request may be sent again (a mutation with the same idempotencyKey writes at most once).
 */
export function serviceUnavailable(requestId: string | undefined, located?: GraphQLError): GraphQLError {
  return new GraphQLError(SERVICE_UNAVAILABLE_MESSAGE, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
      ...(requestId ? { requestId } : {}),
      http: { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
    },
  });
}

/** A GraphQLError whose every cause is a GraphQLError: raised deliberately (validation, auth, domain), safe to show. */
export function isIntentional(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isIntentional(error.originalError);
}

/** What the client sees instead of an unexpected error: no message, stack or SQL of the original, only ids. */
export function maskedError(error: unknown, requestId: string | undefined): GraphQLError {
  const located = error instanceof GraphQLError ? error : undefined;
  if (isConnectionError(error)) return serviceUnavailable(requestId, located);
  const live = liveErrorOf(error);
  if (live) return liveErrorToGraphQL(live, located);
  // graphql-jit's errors leave extensions undefined where graphql-js's have {}.
  const http = located?.extensions?.['http'];
  return new GraphQLError(UNEXPECTED_MESSAGE, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}), ...(http ? { http } : {}) },
  });
}

/** Logs the original of an unexpected error in full, with the request id when known. */
export function logUnexpected(logger: Logger, error: unknown, requestId: string | undefined, where: string): void {
  // The live feed's refusals (an expired cursor met while catching up) are the client's, not unexpected.
  if (liveErrorOf(error)) return;
  const located = error instanceof GraphQLError ? error : undefined;
  const original = located?.originalError ?? error;
  // An outage fails every request alike, and the database availability monitor logs it once: one short line at
  // most every few seconds here, not a stack per request.
  if (isConnectionError(error)) return logOutageRequest(logger, original, requestId);
  logger.error(`unexpected error ${where}`, {
    ...(requestId ? { requestId } : {}),
    ...(located?.path ? { path: located.path.join('.') } : {}),
    error: original instanceof Error ? (original.stack ?? original.message) : String(original),
  });
}

/**
 * yoga's `maskError`, the safety net for failures outside execution (execution and subscription errors are masked
 * earlier, with their request id, by plugins/unexpected-errors.ts). It logs at once, since the request id is not
 * known here; over HTTP the response gets the id afterwards (see `withRequestId`).
 */
export function createMaskError(logger: Logger, logged: WeakSet<object>, unidentified: WeakSet<object>) {
  return (error: unknown): Error => {
    if (isIntentional(error)) return error as GraphQLError;
    logUnexpected(logger, error, undefined, 'outside execution');
    if (typeof error === 'object' && error !== null) logged.add(error);
    const masked = maskedError(error, undefined);
    unidentified.add(masked);
    return masked;
  };
}

/** The masked errors of `errors` that lack a request id, given this one (HTTP answers know their request). */
export function withRequestId<E>(errors: readonly E[], unidentified: WeakSet<object>, requestId: string): E[] | null {
  if (!errors.some((error) => typeof error === 'object' && error !== null && unidentified.has(error))) return null;
  return errors.map((error) => {
    if (!(error instanceof GraphQLError) || !unidentified.has(error)) return error;
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { ...error.extensions, requestId },
    }) as E;
  });
}

const OUTAGE_LOG_EVERY_MS = 5_000;
let outageLoggedAt = 0;
let outageRequestsUnlogged = 0;

function logOutageRequest(logger: Logger, original: unknown, requestId: string | undefined): void {
  const now = Date.now();
  if (now - outageLoggedAt < OUTAGE_LOG_EVERY_MS) {
    outageRequestsUnlogged++;
    return;
  }
  logger.warn('request failed: database unavailable (answered 503)', {
    ...(requestId ? { requestId } : {}),
    error: original instanceof Error ? original.message : String(original),
    ...(outageRequestsUnlogged > 0 ? { alikeSinceLastLine: outageRequestsUnlogged } : {}),
  });
  outageLoggedAt = now;
  outageRequestsUnlogged = 0;
}
