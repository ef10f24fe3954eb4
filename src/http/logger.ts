/** What the HTTP layer logs through. `details` carry the request id and similar fields, never tokens. */
export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** One line per entry: `[http] message {"requestId":"..."}`, on stdout (info) or stderr (warn, error). */
export const consoleLogger: Logger = {
  info: (message, details) => console.log(line(message, details)),
  warn: (message, details) => console.warn(line(message, details)),
  error: (message, details) => console.error(line(message, details)),
};

/** Drops everything: for tests that assert on behaviour, not on output. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function line(message: string, details?: Record<string, unknown>): string {
  return details && Object.keys(details).length > 0 ? `[http] ${message} ${safeJson(details)}` : `[http] ${message}`;
}

function safeJson(details: Record<string, unknown>): string {
  try {
    return JSON.stringify(details, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return '{}';
  }
}
