import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import { PROJECTIONS } from '../../../src/projections/index.ts';
import { readLeaders } from '../../../src/projections/leadership.ts';
import { dbTest } from '../../support/db-test.ts';
import { spawnProjector, type ProjectorChild } from './child.ts';
import { createProject, sleep, writeRequests } from './events.ts';
import { checkpointsAtEnd, expectReadModelsMatchFold } from './fold.ts';

const names = PROJECTIONS.map((p) => p.name);

/** Which child holds each projection's leader lock (the lock connection's application_name carries its pid). */
async function leaders(sql: Sql, children: ProjectorChild[]): Promise<(ProjectorChild | undefined)[]> {
  const held = await readLeaders(sql, names);
  return names.map((name) => {
    const leader = held.get(name);
    return children.find((c) => leader?.applicationName.endsWith(`:${c.pid}`));
  });
}

describe('two projector processes', () => {
  dbTest('one leads; when it is killed the other takes over, and nothing is skipped or applied twice', async ({ sql, url, store }) => {
    const projects = await Promise.all(['One', 'Two'].map((name) => createProject(store, 'acme', name, 'admin')));
    const a = spawnProjector(url, 'a');
    await a.started;
    const b = spawnProjector(url, 'b');
    try {
      await b.started;
      // A led first and keeps every projection; B stands by.
      expect(await leaders(sql, [a, b])).toEqual(names.map(() => a));

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
      await expect.poll(async () => (await leaders(sql, [a, b])).map((leader) => leader?.pid), { timeout: 15_000 }).toEqual(names.map(() => b.pid));
      await sleep(500);
      writing = false;
      await writes;

      await expect.poll(() => checkpointsAtEnd(sql, names), { timeout: 60_000 }).toBe(true);
      // A duplicate timeline row would have failed its unique key; a skipped event would be missing from the fold.
      await expectReadModelsMatchFold(sql);
      expect(b.output()).toContain('leading vm_requests');
    } finally {
      await a.kill('SIGKILL');
      await b.kill('SIGTERM');
    }
  }, 180_000);
});
