import { describe, expect } from 'vitest';
import { createCommandHandlers } from '../../src/commands/index.ts';
import type { EventStore } from '../../src/event-store/index.ts';
import { commandsTest, countEvents, refusal, success, validRequest } from './commands-fixtures.ts';
import { alice, bob } from '../support/personas.ts';

/**
 * A store whose transactions stay open, after their work, until `release` is called. A conditional append (a new
 * VM request's) runs in such a transaction too, rather than in the store's one-round-trip transaction, so the
 * test can hold it open with the project's shared lock taken.
 */
function holdingStore(store: EventStore): { store: EventStore; inside: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  return {
    store: {
      ...store,
      transaction: (fn) =>
        store.transaction(async (tx) => {
          const result = await fn(tx);
          entered();
          await gate;
          return result;
        }),
      append: (streamId, expected, events, options) =>
        options.condition && !options.sql
          ? store.transaction(async (tx) => {
              const result = await store.append(streamId, expected, events, { ...options, sql: tx });
              entered();
              await gate;
              return result;
            })
          : store.append(streamId, expected, events, options),
    },
    inside,
    release,
  };
}

const settled = async (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('project changes racing a new VM request', () => {
  commandsTest.for([
    ['archived', (c: ReturnType<typeof createCommandHandlers>, projectId: string) => c.archiveProject(bob, { projectId }), 'INVALID_STATE'],
    [
      'member removed',
      (c: ReturnType<typeof createCommandHandlers>, projectId: string) => c.removeProjectMember(bob, { projectId, userId: 'alice' }),
      'FORBIDDEN',
    ],
  ] as const)('a request decided while the project is being %s is decided again after it commits', async ([name, change, code], { sql, store, commands }) => {
    const { id: projectId } = success(await commands.createProject(bob, { name: `Race ${name}` }));
    success(await commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));

    const held = holdingStore(store);
    const changing = change(createCommandHandlers(held.store), projectId);
    await held.inside; // the change is appended and holds the project's lock, not yet committed

    const requesting = commands.createVmRequest(alice, validRequest(projectId));
    expect(await settled(requesting, 300)).toBe(false); // it waits for the project change
    held.release();
    success(await changing);

    const result = await requesting;
    expect(refusal(result)).toMatchObject({ code });
    expect(await countEvents(sql, { type: 'VmRequestCreated' })).toBe(0);
  });

  commandsTest('a request that commits first stands, and the project change waits for it', async ({ sql, store, commands }) => {
    const { id: projectId } = success(await commands.createProject(bob, { name: 'Race first' }));
    success(await commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
    const before = await countEvents(sql, { type: 'VmRequestCreated' });
    const held = holdingStore(store);
    const requesting = createCommandHandlers(held.store).createVmRequest(alice, validRequest(projectId));
    await held.inside;
    const archiving = commands.archiveProject(bob, { projectId });
    expect(await settled(archiving, 300)).toBe(false);
    held.release();
    success(await requesting);
    success(await archiving);
    expect(await countEvents(sql, { type: 'VmRequestCreated' })).toBe(before + 1);
  });

  commandsTest('a project changed by another process after this one last decided on it: the next request sees the change', async ({ sql, store, commands }) => {
    const { id: projectId } = success(await commands.createProject(bob, { name: 'Changed elsewhere' }));
    success(await commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
    const before = await countEvents(sql, { type: 'VmRequestCreated' });
    success(await commands.createVmRequest(alice, validRequest(projectId))); // this process now knows the project
    const elsewhere = createCommandHandlers(store); // another API process: its own handlers and caches
    success(await elsewhere.removeProjectMember(bob, { projectId, userId: 'alice' }));
    expect(refusal(await commands.createVmRequest(alice, validRequest(projectId)))).toMatchObject({ code: 'FORBIDDEN' });
    success(await elsewhere.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
    success(await commands.createVmRequest(alice, validRequest(projectId)));
    success(await elsewhere.archiveProject(bob, { projectId }));
    expect(refusal(await commands.createVmRequest(alice, validRequest(projectId)))).toMatchObject({ code: 'INVALID_STATE' });
    expect(await countEvents(sql, { type: 'VmRequestCreated' })).toBe(before + 2);
  });
});
