/**
 * Failures that say "the database cannot be reached right now" rather than "this request is wrong": retrying the
 * same thing later may well succeed. Used to answer 503 instead of a masked internal error, and to tell an outage
 * from a bug in the projector and the provisioning process (an outage stalls nothing, it waits).
 */

/** postgres.js's own codes, and Node's socket errors. */
const CLIENT_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server going away or not yet there: admin_shutdown (a fast stop ends every session),
 * crash_shutdown, cannot_connect_now (starting up or shutting down), too_many_connections, and class 08
 * (connection exception).
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current != null && depth < 6; depth++) {
    if (typeof current !== 'object') return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CLIENT_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) return true;
    // Drizzle wraps a driver error in `cause`; a GraphQLError keeps it in `originalError`.
    current = (current as { originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A short message for a log line: Drizzle's "Failed query: <the whole SQL>" gives way to the driver's reason. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (error.message.startsWith('Failed query') && cause instanceof Error) return cause.message;
  return error.message;
}
