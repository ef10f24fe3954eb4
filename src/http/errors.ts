import { GraphQLError } from 'graphql';
import type { AuthResult } from './auth.ts';
import type { Logger } from './logger.ts';
import { currentRequestId } from './request-id.ts';

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

/**
 * yoga's `maskError`: errors the schema raised on purpose (GraphQLErrors all the way down) pass unchanged;
 * anything else (a bug, a database outage) is logged in full with the request id and replaced by a message that
 * shows no stack, SQL or internal detail, only the request id to quote.
 */
export function createMaskError(logger: Logger, logged: WeakSet<object>) {
  return (error: unknown, message: string): Error => {
    if (isIntentional(error)) return error as GraphQLError;
    const requestId = currentRequestId();
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    logger.error('unexpected error', {
      requestId,
      ...(error instanceof GraphQLError && error.path ? { path: error.path.join('.') } : {}),
      error: original instanceof Error ? (original.stack ?? original.message) : String(original),
    });
    if (typeof error === 'object' && error !== null) logged.add(error);
    const http = error instanceof GraphQLError ? error.extensions['http'] : undefined;
    return new GraphQLError(message || UNEXPECTED_MESSAGE, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}), ...(http ? { http } : {}) },
    });
  };
}

/** A GraphQLError whose every cause is a GraphQLError: raised deliberately (validation, auth, domain), safe to show. */
function isIntentional(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isIntentional(error.originalError);
}
