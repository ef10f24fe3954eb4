import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createSql } from '../../src/db/client.ts';
import {
  locateEmbeddedDataFolder,
  releaseDataFolder,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '../../src/db/embedded.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { ensurePortalBuilt } from '../../src/http/portal/build.ts';
import { newRunId, runIdStartedAt, runStartedAt, TEMPLATE_PREFIX, TEST_DB_PREFIX, templateName, withDatabase } from './names.ts';
import { ensureVcsimBuilt } from './vcsim-build.ts';

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
  // Once, before any file starts a server: the portal's browser tests need web/dist, and servers started by test
  // processes (npm start) then find it fresh instead of building it side by side.
  await ensurePortalBuilt();
  // Likewise the vCenter simulator the vSphere tests start, when Go and govmomi's sources are there to build it.
  ensureVcsimBuilt();
  const runId = newRunId();
  const server = process.env.TEST_DATABASE_URL ? undefined : await startTestServer(runId);
  const adminUrl = process.env.TEST_DATABASE_URL ?? server!.url;
  try {
    return await prepare(project, runId, adminUrl, server);
  } catch (error) {
    await stopTestServer(server);
    throw error;
  }
}

async function prepare(
  project: TestProject,
  runId: string,
  adminUrl: string,
  server: TestServer | undefined,
): Promise<() => Promise<void>> {
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
      await stopTestServer(server);
    }
  };
}

const EMBEDDED_PREFIX = 'dvmm-test-pg-';

type TestServer = EmbeddedServer & { base: string };

/** A throwaway embedded server for this run, in its own folder under the system temp directory. */
async function startTestServer(runId: string): Promise<TestServer> {
  await removeAbandonedTestServers();
  const base = mkdtempSync(join(tmpdir(), `${EMBEDDED_PREFIX}${runId}-`));
  // mkdtemp makes the folder 0700; as root, Postgres runs as the postgres user, which may then enter it. (Under a
  // temp directory it cannot reach at all, the server keeps its data in the checkout's folder for that user.)
  chmodSync(base, 0o755);
  try {
    const log = (line: string) => console.log(line.replace('[db]', '[test]'));
    return { ...(await startEmbeddedPostgres({ dataDir: join(base, 'pg'), log })), base };
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
}

async function stopTestServer(server: TestServer | undefined): Promise<void> {
  if (!server) return;
  await server.stop();
  rmSync(server.dataDir, { recursive: true, force: true });
  rmSync(server.base, { recursive: true, force: true });
}

/** Folders of runs that were killed before their teardown; a folder whose server a live run still owns stays. */
async function removeAbandonedTestServers(): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(EMBEDDED_PREFIX)) continue;
    const base = join(tmpdir(), name);
    try {
      const dataDir = await locateEmbeddedDataFolder(join(base, 'pg'));
      const result = await releaseDataFolder(dataDir, () => {});
      if (result.status !== 'free' || isFresh(name)) continue;
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(base, { recursive: true, force: true });
    } catch {
      // Someone else's folder we cannot handle: leave it.
    }
  }
}

// A run that has just created its folder may not have started its server yet; give it time.
function isFresh(folderName: string): boolean {
  const started = runIdStartedAt(folderName.slice(EMBEDDED_PREFIX.length));
  return started === undefined || Date.now() - started < 10 * 60 * 1000;
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
