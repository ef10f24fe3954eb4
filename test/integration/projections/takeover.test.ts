import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, type EventStore } from '../../../src/event-store/index.ts';
import { PROJECTIONS } from '../../../src/projections/index.ts';
import { readLeaders } from '../../../src/projections/leadership.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { spawnProjector, type ProjectorChild } from './child.ts';
import { createProject, sleep, writeRequests } from './events.ts';
import { checkpointsAtEnd, expectReadModelsMatchFold, waitFor } from './fold.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
});
afterAll(async () => {
  await t.close();
});

const names = PROJECTIONS.map((p) => p.name);

/** Which child holds each projection's leader lock (the lock connection's application_name carries its pid). */
async function leaders(children: ProjectorChild[]): Promise<(ProjectorChild | undefined)[]> {
  const held = await readLeaders(t.sql, names);
  return names.map((name) => {
    const leader = held.get(name);
    return children.find((c) => leader?.applicationName.endsWith(`:${c.pid}`));
  });
}

describe('two projector processes', () => {
  it('one leads; when it is killed the other takes over, and nothing is skipped or applied twice', async () => {
    const projects = await Promise.all(['One', 'Two'].map((name) => createProject(store, 'acme', name, 'admin')));
    const a = spawnProjector(t.url, 'a');
    await a.started;
    const b = spawnProjector(t.url, 'b');
    try {
      await b.started;
      // A led first and keeps every projection; B stands by.
      expect(await leaders([a, b])).toEqual(names.map(() => a));

      let writing = true;
      const writes = writeRequests(store, 'acme', projects, {
        writers: 4,
        perWriter: 1000,
        delayMs: () => Math.floor(Math.random() * 3),
        stop: () => !writing,
      });
      await sleep(500 + Math.random() * 500);
      await a.kill('SIGKILL');
      // The standby retries every second.
      await waitFor('b to lead every projection', async () => (await leaders([a, b])).every((leader) => leader === b), 15_000);
      await sleep(500);
      writing = false;
      await writes;

      await waitFor('b to catch up', () => checkpointsAtEnd(t.sql, names), 60_000);
      // A duplicate timeline row would have failed its unique key; a skipped event would be missing from the fold.
      await expectReadModelsMatchFold(t.sql);
      expect(b.output()).toContain('leading vm_requests');
    } finally {
      await a.kill('SIGKILL');
      await b.kill('SIGTERM');
    }
  }, 180_000);
});
