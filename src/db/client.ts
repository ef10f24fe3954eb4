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

/** A postgres.js pool. NOTICEs are dropped: migrations ("already exists, skipping") would otherwise flood the log. */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    idle_timeout: options.idleTimeout ?? 30,
    connect_timeout: 30,
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
