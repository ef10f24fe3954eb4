import { test } from 'vitest';
import type { Sql } from '../../src/db/client.ts';
import { createEventStore, type EventStore } from '../../src/event-store/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/**
 * A test with its file's own database: every fixture is file-scoped, so the file's tests share one database
 * (created on first use from the migrated template, dropped after the file's last test) and one event store on it.
 * A file that needs a larger pool says so with `dbTest.override('poolSize', 30)`.
 */
export const dbTest = test
  .extend('poolSize', { scope: 'file' }, 20)
  .extend('database', { scope: 'file' }, async ({ poolSize }, { onCleanup }): Promise<TestDatabase> => {
    const database = await createTestDatabase({ max: poolSize });
    onCleanup(() => database.close());
    return database;
  })
  .extend('sql', { scope: 'file' }, ({ database }): Sql => database.sql)
  .extend('url', { scope: 'file' }, ({ database }): string => database.url)
  .extend('store', { scope: 'file' }, ({ database }, { onCleanup }): EventStore => {
    const store = createEventStore(database.sql);
    // Pending wake-ups go out before the database is dropped.
    onCleanup(() => store.flush());
    return store;
  });
