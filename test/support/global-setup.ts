import type { TestProject } from 'vitest/node';
import { createSql } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { newRunId, runStartedAt, TEMPLATE_PREFIX, TEST_DB_PREFIX, templateName, withDatabase } from './names.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dvmmAdminUrl: string;
    dvmmTemplateDb: string;
    dvmmRunId: string;
  }
}

// Databases of crashed runs older than this are dropped. Younger ones may belong to a run still going on the same
// server (several people share one Postgres), so they are left alone.
const LEFTOVER_AGE_MS = 6 * 60 * 60 * 1000;

/**
 * Once per test run: choose the server, build a migrated template database, and hand both to the test files.
 * Each test file then copies the template (CREATE DATABASE ... TEMPLATE), which takes a fraction of a second.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('Set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');

  const runId = newRunId();
  const template = templateName(runId);
  const admin = createSql(adminUrl, { max: 1, applicationName: 'dvmm-test-setup' });
  try {
    await dropLeftovers(admin);
    await admin.unsafe(`drop database if exists "${template}" with (force)`);
    await admin.unsafe(`create database "${template}"`);
  } finally {
    await admin.end();
  }

  const templateSql = createSql(withDatabase(adminUrl, template), { max: 2, applicationName: 'dvmm-test-setup' });
  try {
    const applied = await runMigrations(templateSql);
    console.log(`[test] template database ${template}: ${applied} migration(s) applied`);
  } finally {
    // No session may stay connected to a template, or CREATE DATABASE ... TEMPLATE refuses to copy it.
    await templateSql.end();
  }

  project.provide('dvmmAdminUrl', adminUrl);
  project.provide('dvmmTemplateDb', template);
  project.provide('dvmmRunId', runId);

  return async () => {
    const sql = createSql(adminUrl, { max: 1, applicationName: 'dvmm-test-setup' });
    try {
      // Test files close their own databases; this catches the ones a failed file left behind.
      const names = await databasesLike(sql, `${TEST_DB_PREFIX}${runId}_%`);
      for (const name of [...names, template]) await sql.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await sql.end();
    }
  };
}

async function dropLeftovers(sql: ReturnType<typeof createSql>): Promise<void> {
  const names = [...(await databasesLike(sql, `${TEMPLATE_PREFIX}%`)), ...(await databasesLike(sql, `${TEST_DB_PREFIX}%`))];
  const cutoff = Date.now() - LEFTOVER_AGE_MS;
  for (const name of names) {
    const started = runStartedAt(name);
    if (started !== undefined && started < cutoff) {
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    }
  }
}

async function databasesLike(sql: ReturnType<typeof createSql>, pattern: string): Promise<string[]> {
  // '_' is a LIKE wildcard; escape it so 'dvmm_t_' does not also match other names.
  const escaped = pattern.replace(/_/g, '\\_');
  const rows = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${escaped}`;
  return rows.map((r) => r.datname);
}
