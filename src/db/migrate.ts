import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { createDb, type Sql } from './client.ts';

/** drizzle/ at the repository root, wherever the process was started from. */
export const defaultMigrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

// Fixed key for pg_advisory_lock: every process migrating the same database queues on it.
const MIGRATION_LOCK_KEY = 4_711_202_501n;

/**
 * Applies the pending migrations in drizzle/ and returns how many were applied.
 *
 * Drizzle's migrator reads the last applied migration before opening its transaction, so two processes starting at
 * once could both decide to apply the same file. A session-level advisory lock, held on one reserved connection for
 * the whole run, serialises them: the second waits, then finds nothing left to do. The migrations themselves run on
 * another pooled connection, so the pool needs at least 2 connections.
 */
export async function runMigrations(sql: Sql, migrationsFolder: string = defaultMigrationsFolder): Promise<number> {
  // No journal yet (no migration generated): nothing to apply. Drizzle's migrator would throw here.
  if (!existsSync(`${migrationsFolder}/meta/_journal.json`)) return 0;
  if (sql.options.max < 2) throw new Error('runMigrations needs a pool of at least 2 connections');

  const lock = await sql.reserve();
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    try {
      const before = await appliedCount(sql);
      await migrate(createDb(sql), { migrationsFolder });
      return (await appliedCount(sql)) - before;
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    }
  } finally {
    lock.release();
  }
}

async function appliedCount(sql: Sql): Promise<number> {
  // Two queries: a statement naming a missing table fails at parse time, even in an untaken CASE branch.
  const [exists] = await sql<{ ok: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`;
  if (!exists?.ok) return 0;
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
  return row?.n ?? 0;
}
