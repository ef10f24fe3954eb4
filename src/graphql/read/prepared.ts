import type { DrizzleDb } from '../../db/client.ts';

/** Statements kept per database handle; past this, the least recently built one is dropped. */
const MAX_STATEMENTS = 256;

interface Executable {
  execute(placeholders?: Record<string, unknown>): Promise<unknown[]>;
}

const byDb = new WeakMap<DrizzleDb, Map<string, Executable>>();

/**
 * A drizzle statement built once per `key` (its shape: everything but the placeholders' values) and database handle
 * (the primary's or a replica's), then only executed. drizzle otherwise builds a query's SQL on every call and sends
 * it unnamed, so Postgres parses and plans it every time; `.prepare()` makes postgres.js keep it as a named
 * statement on each connection.
 */
export function preparedFor<T extends Executable>(db: DrizzleDb, key: string, build: () => T): T {
  let statements = byDb.get(db);
  if (!statements) byDb.set(db, (statements = new Map()));
  const known = statements.get(key);
  if (known) return known as T;
  const built = build();
  if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
  statements.set(key, built);
  return built;
}
