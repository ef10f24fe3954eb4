import { describe, expect } from 'vitest';
import { PROJECTIONS } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { spawnProjector } from './child.ts';
import { createProject, sleep, writeRequests } from './events.ts';
import { checkpointsAtEnd, expectReadModelsMatchFold, expectSameAsFreshRebuild } from './fold.ts';

describe('crash', () => {
  dbTest('a projector SIGKILLed at random moments five times, then restarted, ends equal to a fresh rebuild', async ({ sql, url, store }) => {
    const projects = await Promise.all(['Alpha', 'Beta'].map((name) => createProject(store, 'acme', name, 'admin')));
    let writing = true;
    const writes = writeRequests(store, 'acme', projects, {
      writers: 4,
      perWriter: 1000,
      delayMs: () => Math.floor(Math.random() * 3),
      stop: () => !writing,
    });
    const progress: bigint[] = [];
    for (let kill = 1; kill <= 5; kill++) {
      const child = spawnProjector(url, `crash${kill}`);
      await child.started;
      // Somewhere inside its work: batches, commits, notifications in flight.
      await sleep(150 + Math.random() * 600);
      await child.kill('SIGKILL');
      const [row] = await sql<{ position: string }[]>`
        select coalesce(min(position), 0)::text as position from projection_checkpoints`;
      progress.push(BigInt(row!.position));
    }
    writing = false;
    await writes;

    const last = spawnProjector(url, 'final');
    try {
      await last.started;
      await expect.poll(() => checkpointsAtEnd(sql, PROJECTIONS.map((p) => p.name)), { timeout: 60_000 }).toBe(true);
      // The killed projectors did work: the checkpoints moved between kills.
      expect(progress[progress.length - 1]).toBeGreaterThan(0n);
    } finally {
      await last.kill('SIGTERM');
    }
    for (const projection of PROJECTIONS) await expectSameAsFreshRebuild(sql, projection);
    await expectReadModelsMatchFold(sql);
  }, 300_000);
});
