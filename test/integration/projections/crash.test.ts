import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, type EventStore } from '../../../src/event-store/index.ts';
import { PROJECTIONS } from '../../../src/projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { spawnProjector } from './child.ts';
import { createProject, sleep, writeRequests } from './events.ts';
import { checkpointsAtEnd, expectReadModelsMatchFold, expectSameAsFreshRebuild, waitFor } from './fold.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
});
afterAll(async () => {
  await t.close();
});

describe('crash', () => {
  it('a projector SIGKILLed at random moments five times, then restarted, ends equal to a fresh rebuild', async () => {
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
      const child = spawnProjector(t.url, `crash${kill}`);
      await child.started;
      // Somewhere inside its work: batches, commits, notifications in flight.
      await sleep(150 + Math.random() * 600);
      await child.kill('SIGKILL');
      const [row] = await t.sql<{ position: string }[]>`
        select coalesce(min(position), 0)::text as position from projection_checkpoints`;
      progress.push(BigInt(row!.position));
    }
    writing = false;
    await writes;

    const last = spawnProjector(t.url, 'final');
    try {
      await last.started;
      await waitFor('the restarted projector to catch up', () => checkpointsAtEnd(t.sql, PROJECTIONS.map((p) => p.name)), 60_000);
      // The killed projectors did work: the checkpoints moved between kills.
      expect(progress[progress.length - 1]).toBeGreaterThan(0n);
    } finally {
      await last.kill('SIGTERM');
    }
    for (const projection of PROJECTIONS) await expectSameAsFreshRebuild(t.sql, projection);
    await expectReadModelsMatchFold(t.sql);
  }, 300_000);
});
