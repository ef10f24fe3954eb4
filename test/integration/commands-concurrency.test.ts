import { describe, expect } from 'vitest';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { type EventStore } from '../../src/event-store/index.ts';
import { countEvents, projectTest, refusal, success, validRequest } from './commands-fixtures.ts';
import { alice, bob, person } from '../support/personas.ts';

describe('optimistic concurrency', () => {
  projectTest('100 concurrent approvals at the same expectedVersion: exactly one succeeds, one VmRequestApproved', async ({ sql, store, commands, projectId }) => {
    const { id } = success(await commands.createVmRequest(alice, validRequest(projectId)));
    const admins = Array.from({ length: 100 }, (_, i) => person('acme', `admin-${i}`, 'admin'));
    const results = await Promise.all(admins.map((admin) => commands.approveVmRequest(admin, { id, expectedVersion: 1 })));

    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) {
      expect(refusal(result)).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 1, actualVersion: 2 });
    }
    expect(await countEvents(sql, { streamId: id, type: 'VmRequestApproved' })).toBe(1);
    expect(await countEvents(sql, { streamId: id })).toBe(2);
    const [approved] = await store.readStream(id, 2);
    expect(approved!.data.approvedBy).toBe(success(winners[0]!).state.decidedBy);
  });

  projectTest('concurrent approve and reject of one request: one decision wins', async ({ sql, commands, projectId }) => {
    const { id } = success(await commands.createVmRequest(alice, validRequest(projectId)));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? commands.approveVmRequest(person('acme', `a-${i}`, 'admin'), { id, expectedVersion: 1 })
          : commands.rejectVmRequest(person('acme', `r-${i}`, 'admin'), { id, expectedVersion: 1, reason: 'Not in budget now' }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await countEvents(sql, { streamId: id })).toBe(2);
  });

  projectTest('commands without a caller version retry a lost race on fresh state', async ({ sql, store, commands }) => {
    const { id: project } = success(await commands.createProject(bob, { name: 'Retried' }));
    // A real second writer gets in between our read and our append twice, then stops.
    let interlopers = 0;
    const contended: EventStore = {
      ...store,
      append: async (streamId, expected, events, options) => {
        if (interlopers < 2) {
          interlopers++;
          success(await commands.addProjectMember(bob, { projectId: project, userId: `interloper-${interlopers}`, role: 'MEMBER' }));
        }
        return store.append(streamId, expected, events, options);
      },
    };
    const retrying = createCommandHandlers(contended);
    const result = success(await retrying.addProjectMember(bob, { projectId: project, userId: 'alice', role: 'MEMBER' }));
    expect(result.version).toBe(5);
    expect(result.state.members.map((m) => m.userId)).toEqual(['bob', 'interloper-1', 'interloper-2', 'alice']);
    expect(await countEvents(sql, { streamId: project, type: 'MemberAdded' })).toBe(4);
  });

  projectTest('twenty concurrent member additions: every success is stored, every failure is a conflict', async ({ store, commands }) => {
    const { id: project } = success(await commands.createProject(bob, { name: 'Crowd' }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        commands.addProjectMember(bob, { projectId: project, userId: `user-${i}`, role: 'MEMBER' }),
      ),
    );
    const added = results.flatMap((r, i) => (r.ok ? [`user-${i}`] : []));
    for (const r of results) if (!r.ok) expect(r.error.code).toBe('CONCURRENCY_CONFLICT');
    // Each round of the race has a winner, so with retries several of them get in.
    expect(added.length).toBeGreaterThan(1);
    const stored = await store.readStream(project);
    expect(stored.slice(2).map((e) => e.data.userId).sort()).toEqual(added.sort());
  });

  projectTest('gives up clearly after the bounded number of attempts, having written nothing of its own', async ({ store, commands }) => {
    const { id: project } = success(await commands.createProject(bob, { name: 'Contended' }));
    // A real second writer that always gets in between our read and our append.
    let interlopers = 0;
    const contended: EventStore = {
      ...store,
      append: async (streamId, expected, events, options) => {
        interlopers++;
        await commands.addProjectMember(bob, { projectId: project, userId: `interloper-${interlopers}`, role: 'MEMBER' });
        return store.append(streamId, expected, events, options);
      },
    };
    const bounded = createCommandHandlers(contended, { maxAttempts: 4 });
    const error = refusal(await bounded.addProjectMember(bob, { projectId: project, userId: 'alice', role: 'MEMBER' }));
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', message: expect.stringContaining('4 attempts') });
    expect(interlopers).toBe(4);
    const stored = await store.readStream(project);
    expect(stored.some((e) => e.data.userId === 'alice')).toBe(false);
    expect(stored).toHaveLength(2 + 4);
  });
});
