import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import {
  PROJECTIONS,
  rebuildProjection,
  startProjector,
  vmRequestsProjection,
} from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { createProject, writeRequests } from './events.ts';
import { expectReadModelsMatchFold, expectSameAsFreshRebuild } from './fold.ts';

/** Two projects with 100 requests, and the live projector caught up with them before the file's first test. */
const liveTest = dbTest
  .extend('projects', { scope: 'file' }, ({ store }) => Promise.all(['Red', 'Green'].map((name) => createProject(store, 'acme', name, 'admin'))))
  .extend('projector', { scope: 'file', auto: true }, async ({ sql, store, projects }, { onCleanup }) => {
    const projector = await startProjector({ sql, projections: PROJECTIONS, log: () => {} });
    onCleanup(() => projector.stop());
    await writeRequests(store, 'acme', projects, { writers: 4, perWriter: 25 });
    await projector.caughtUp();
    return projector;
  });

const indexes = (sql: Sql) => sql<{ indexname: string; indexdef: string }[]>`
  select indexname, indexdef from pg_indexes
  where schemaname = 'public' and tablename in ('vm_requests', 'vm_request_timeline', 'vm_request_project_names')
  order by indexname`;

describe('rebuild', () => {
  liveTest('gives the same rows as the live projection, with the same indexes', async ({ sql }) => {
    const before = await sql`select * from vm_requests order by id`;
    const timelineBefore = await sql`select * from vm_request_timeline order by position`;
    const indexesBefore = await indexes(sql);
    const result = await rebuildProjection({ sql, projection: vmRequestsProjection, batchSize: 100 });
    expect(result.events).toBeGreaterThan(100);
    expect(await sql`select * from vm_requests order by id`).toEqual(before);
    expect(await sql`select * from vm_request_timeline order by position`).toEqual(timelineBefore);
    expect(await indexes(sql)).toEqual(indexesBefore);
    const [leftover] = await sql<{ n: number }[]>`select count(*)::int as n from pg_namespace where nspname like 'dvmm_rebuild_%'`;
    expect(leftover!.n).toBe(0);
  });

  liveTest('while writers append and the live projector runs: the live table keeps serving, and after the swap nothing is lost', async ({ sql, store, projects, projector }) => {
    let writing = true;
    const writes = writeRequests(store, 'acme', projects, { writers: 4, perWriter: 1000, stop: () => !writing });
    const liveReads: Promise<number>[] = [];
    const result = await rebuildProjection({
      sql,
      projection: vmRequestsProjection,
      batchSize: 50,
      onProgress: () => {
        liveReads.push(sql<{ n: number }[]>`select count(*)::int as n from vm_requests`.then(([row]) => row!.n));
      },
    });
    writing = false;
    await writes;
    await projector.caughtUp();

    expect(result.events).toBeGreaterThan(0);
    const counts = await Promise.all(liveReads);
    expect(counts.length).toBeGreaterThan(1);
    // The live model served its full, growing state throughout, never the half-built one.
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(100);
    await expectSameAsFreshRebuild(sql, vmRequestsProjection);
    await expectReadModelsMatchFold(sql);
    expect(projector.status().projections.every((p) => p.leading && p.stalled === null)).toBe(true);
  });

  liveTest('from the command line: status, then rebuild with progress on stderr', async ({ sql, url, projector }) => {
    const cli = fileURLToPath(new URL('../../../src/cli.ts', import.meta.url));
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, DATABASE_URL: url } });
    const status = await run(['projections', 'status']);
    for (const projection of PROJECTIONS) expect(status.stdout).toContain(projection.name);
    expect(status.stdout).toContain('caught up');
    expect(status.stdout).toMatch(/leader\s+pid \d+/);

    const rebuild = await run(['projections', 'rebuild', 'projects']);
    expect(rebuild.stderr).toMatch(/rebuild projects \[#+\]\s+100\.0% .* events\/s/);
    expect(rebuild.stdout).toContain('rebuilt projects');
    await projector.caughtUp();
    await expectSameAsFreshRebuild(sql, PROJECTIONS.find((p) => p.name === 'projects')!);
  });
});
