import { inject } from 'vitest';
import { createDb, createSql, type DrizzleDb, type Sql } from '../../src/db/client.ts';
import { testDatabaseName, withDatabase } from './names.ts';

export type TestDatabase = {
  /** Connection URL of this file's own database. */
  url: string;
  sql: Sql;
  db: DrizzleDb;
  /** Ends the client and drops the database. */
  close(): Promise<void>;
};

export type TestDatabaseOptions = {
  /** Pool size of `sql`; default 20, enough for 16 concurrent writers plus a reader. */
  max?: number;
};

/** URL of the test server's maintenance database, for tests that create databases of their own. */
export function adminUrl(): string {
  return inject('dvmmAdminUrl');
}

/** A fresh database with every migration applied, copied from the run's template. One per test file. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = testDatabaseName(inject('dvmmRunId'));
  const template = inject('dvmmTemplateDb');
  await withAdmin((admin) => createFromTemplate(admin, name, template));

  const url = withDatabase(adminUrl(), name);
  const sql = createSql(url, { max: options.max ?? 20, applicationName: 'dvmm-test' });
  let closed = false;
  return {
    url,
    sql,
    db: createDb(sql),
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
      await withAdmin((admin) => admin.unsafe(`drop database if exists "${name}" with (force)`));
    },
  };
}

async function createFromTemplate(admin: Sql, name: string, template: string): Promise<void> {
  // Postgres refuses to copy a template while any session is connected to it (SQLSTATE 55006). Nobody should be,
  // but a stray psql session must not fail the whole run, so wait a little and retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.unsafe(`create database "${name}" template "${template}"`);
      return;
    } catch (error) {
      if (attempt >= 20 || !isObjectInUse(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

function isObjectInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '55006';
}

async function withAdmin<T>(fn: (admin: Sql) => Promise<T>): Promise<T> {
  const admin = createSql(adminUrl(), { max: 1, applicationName: 'dvmm-test-admin' });
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
