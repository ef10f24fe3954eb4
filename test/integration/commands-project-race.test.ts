import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandlers } from '../../src/commands/index.ts';
import type { EventStore } from '../../src/event-store/index.ts';
import { countEvents, type CommandsHarness, openCommands, refusal, success, validRequest } from './commands-fixtures.ts';
import { alice, bob } from '../support/personas.ts';

let h: CommandsHarness;

beforeAll(async () => {
  h = await openCommands();
});
afterAll(async () => h.close());

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
  it.each([
    ['archived', (c: ReturnType<typeof createCommandHandlers>, projectId: string) => c.archiveProject(bob, { projectId }), 'INVALID_STATE'],
    [
      'member removed',
      (c: ReturnType<typeof createCommandHandlers>, projectId: string) => c.removeProjectMember(bob, { projectId, userId: 'alice' }),
      'FORBIDDEN',
    ],
  ] as const)('a request decided while the project is being %s is decided again after it commits', async (_name, change, code) => {
    const { id: projectId } = success(await h.commands.createProject(bob, { name: `Race ${_name}` }));
    success(await h.commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));

    const held = holdingStore(h.store);
    const changing = change(createCommandHandlers(held.store), projectId);
    await held.inside; // the change is appended and holds the project's lock, not yet committed

    const requesting = h.commands.createVmRequest(alice, validRequest(projectId));
    expect(await settled(requesting, 300)).toBe(false); // it waits for the project change
    held.release();
    success(await changing);

    const result = await requesting;
    expect(refusal(result)).toMatchObject({ code });
    expect(await countEvents(h.t, { type: 'VmRequestCreated' })).toBe(0);
  });

  it('a request that commits first stands, and the project change waits for it', async () => {
    const { id: projectId } = success(await h.commands.createProject(bob, { name: 'Race first' }));
    success(await h.commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
    const before = await countEvents(h.t, { type: 'VmRequestCreated' });
    const held = holdingStore(h.store);
    const requesting = createCommandHandlers(held.store).createVmRequest(alice, validRequest(projectId));
    await held.inside;
    const archiving = h.commands.archiveProject(bob, { projectId });
    expect(await settled(archiving, 300)).toBe(false);
    held.release();
    success(await requesting);
    success(await archiving);
    expect(await countEvents(h.t, { type: 'VmRequestCreated' })).toBe(before + 1);
  });

  it('a project changed by another process after this one last decided on it: the next request sees the change', async () => {
    const { id: projectId } = success(await h.commands.createProject(bob, { name: 'Changed elsewhere' }));
    success(await h.commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
    const before = await countEvents(h.t, { type: 'VmRequestCreated' });
    success(await h.commands.createVmRequest(alice, validRequest(projectId))); // this process now knows the project
    const elsewhere = createCommandHandlers(h.store); // another API process: its own handlers and caches
    success(await elsewhere.removeProjectMember(bob, { projectId, userId: 'alice' }));
    expect(refusal(await h.commands.createVmRequest(alice, validRequest(projectId)))).toMatchObject({ code: 'FORBIDDEN' });
    success(await elsewhere.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
    success(await h.commands.createVmRequest(alice, validRequest(projectId)));
    success(await elsewhere.archiveProject(bob, { projectId }));
    expect(refusal(await h.commands.createVmRequest(alice, validRequest(projectId)))).toMatchObject({ code: 'INVALID_STATE' });
    expect(await countEvents(h.t, { type: 'VmRequestCreated' })).toBe(before + 2);
  });
});
