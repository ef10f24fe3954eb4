import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';

export type Sql = postgres.Sql;
export type DrizzleDb = PostgresJsDatabase;

export type SqlOptions = {
  /** Pool size; migrations need at least 2 (one connection holds the migration lock). */
  max?: number;
  /** Seconds an idle connection stays open. */
  idleTimeout?: number;
  /** Shown in pg_stat_activity, handy when several processes share one server. */
  applicationName?: string;
  /**
   * A transaction left open and idle holds back every gap-safe reader (nothing after its id is handed out until it
   * ends), so the server ends such sessions after this long. Default 30 s.
   */
  idleInTransactionTimeoutMs?: number;
};

/** The service's pool size unless DATABASE_POOL_MAX says otherwise. */
export const DEFAULT_POOL_MAX = 20;

/**
 * Pause before a pool connection tries again after failing to connect, in seconds: 50 ms doubling up to 1 s.
 * postgres.js's default grows to 20 s, counted over the whole pool, so after a short outage a query could wait many
 * seconds for a connection to try again while the server was long back.
 */
export const reconnectBackoff = (retries: number): number => Math.min(1, 0.05 * 2 ** Math.max(0, retries - 1));

/**
 * A postgres.js pool. NOTICEs are dropped: migrations ("already exists, skipping") would otherwise flood the log.
 * Connecting gives up after 10 s (a server that does not answer at all); a refused or restarting server fails at once.
 */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    idle_timeout: options.idleTimeout ?? 30,
    connect_timeout: 10,
    backoff: reconnectBackoff,
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? 'dvmm',
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 30_000,
    },
  });
}

export function createDb(sql: Sql): DrizzleDb {
  return drizzle(sql);
}
