import { describe, expect } from 'vitest';
import { eventSchemaVersions } from '../../src/domain/index.ts';
import { commandsTest, countEvents, refusal, success } from './commands-fixtures.ts';
import { alice, bob, carol, dave, eve } from '../support/personas.ts';

describe('createProject', () => {
  commandsTest('writes ProjectCreated and the creator as PROJECT_ADMIN in one append, with full metadata', async ({ store, commands }) => {
    const created = success(
      await commands.createProject(bob, { name: 'Webshop', description: 'The shop' }, { correlationId: 'corr-1' }),
    );
    expect(created.state).toMatchObject({
      status: 'ACTIVE',
      name: 'Webshop',
      description: 'The shop',
      members: [{ userId: 'bob', role: 'PROJECT_ADMIN' }],
    });
    expect(created.version).toBe(2);
    expect(created.duplicate).toBe(false);

    const stored = await store.readStream(created.id);
    expect(stored.map((e) => [e.type, e.streamVersion, e.streamType, e.tenantId])).toEqual([
      ['ProjectCreated', 1, 'Project', 'acme'],
      ['MemberAdded', 2, 'Project', 'acme'],
    ]);
    // One append: both events share the transaction and every metadata field.
    expect(stored[0]!.transactionId).toBe(stored[1]!.transactionId);
    const metadata = stored[0]!.metadata;
    expect(metadata).toEqual({
      tenantId: 'acme',
      userId: 'bob',
      correlationId: 'corr-1',
      causationId: metadata.commandId,
      commandId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      occurredAt: created.createdAt,
    });
    expect(stored[0]!.schemaVersion).toBe(eventSchemaVersions.ProjectCreated);
    expect(created.events.map((e) => e.type)).toEqual(['ProjectCreated', 'MemberAdded']);
  });

  commandsTest('refuses a name taken in the tenant, ignoring case, and writes nothing', async ({ sql, commands }) => {
    success(await commands.createProject(bob, { name: 'Billing' }));
    const before = await countEvents(sql);
    const error = refusal(await commands.createProject(carol, { name: '  BILLING ' }));
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'name' });
    expect(await countEvents(sql)).toBe(before);
  });

  commandsTest('lets another tenant use the same name', async ({ commands }) => {
    success(await commands.createProject(bob, { name: 'Shared Name' }));
    success(await commands.createProject(eve, { name: 'shared name' }));
  });

  commandsTest('two concurrent creates with names differing only in case give one project', async ({ sql, commands }) => {
    const before = await countEvents(sql, { type: 'ProjectCreated' });
    const results = await Promise.all([
      commands.createProject(bob, { name: 'Race Project' }),
      commands.createProject(carol, { name: 'RACE PROJECT' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual([
      expect.objectContaining({ code: 'VALIDATION', field: 'name' }),
    ]);
    expect(await countEvents(sql, { type: 'ProjectCreated' })).toBe(before + 1);
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from project_names where tenant_id = 'acme' and name_key = 'race project'`;
    expect(row!.n).toBe(1);
  });

  commandsTest('twenty concurrent creates of one name in twenty spellings give one project', async ({ sql, commands }) => {
    const spellings = Array.from({ length: 20 }, (_, i) =>
      [...'crowded'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join(''),
    );
    const results = await Promise.all(spellings.map((name) => commands.createProject(bob, { name })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from events where event_type = 'ProjectCreated' and lower(data->>'name') = 'crowded'`;
    expect(row!.n).toBe(1);
  });

  commandsTest('only admins create projects; a refusal writes nothing', async ({ sql, commands }) => {
    const before = await countEvents(sql);
    expect(refusal(await commands.createProject(alice, { name: 'Mine' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await commands.createProject(bob, { name: 'x' }))).toMatchObject({ code: 'VALIDATION', field: 'name' });
    expect(await countEvents(sql)).toBe(before);
    // A refused name is not reserved either.
    success(await commands.createProject(bob, { name: 'Mine' }));
  });

  commandsTest('a retried idempotency key creates the project once and returns the first result', async ({ sql, commands }) => {
    const before = await countEvents(sql);
    const first = success(await commands.createProject(bob, { name: 'Idempotent' }, { idempotencyKey: 'k-1' }));
    const again = success(await commands.createProject(bob, { name: 'Idempotent' }, { idempotencyKey: 'k-1' }));
    expect(again).toMatchObject({ id: first.id, version: first.version, duplicate: true, state: first.state });
    expect(again.events).toEqual(first.events);
    expect(await countEvents(sql)).toBe(before + 2);
  });

  commandsTest('concurrent retries of one idempotency key write once', async ({ sql, commands }) => {
    const before = await countEvents(sql);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        commands.createProject(bob, { name: 'Concurrent Retry' }, { idempotencyKey: 'k-concurrent' }),
      ),
    );
    const values = results.map(success);
    expect(new Set(values.map((v) => v.id)).size).toBe(1);
    expect(values.filter((v) => !v.duplicate)).toHaveLength(1);
    expect(await countEvents(sql)).toBe(before + 2);
  });

  commandsTest('the same key from another user is another command', async ({ commands }) => {
    const first = success(await commands.createProject(bob, { name: 'Key Scope A' }, { idempotencyKey: 'shared' }));
    const second = success(await commands.createProject(carol, { name: 'Key Scope B' }, { idempotencyKey: 'shared' }));
    expect(second.id).not.toBe(first.id);
    expect(second.duplicate).toBe(false);
  });
});

describe('members and archiving', () => {
  commandsTest('admins and project admins manage members; members do not', async ({ sql, commands }) => {
    const project = success(await commands.createProject(bob, { name: 'Members' }));
    const projectId = project.id;
    success(await commands.addProjectMember(carol, { projectId, userId: 'alice', role: 'PROJECT_ADMIN' }));
    const added = success(await commands.addProjectMember(alice, { projectId, userId: 'dave', role: 'MEMBER' }));
    expect(added.state.members.map((m) => m.userId)).toEqual(['bob', 'alice', 'dave']);

    const before = await countEvents(sql, { streamId: projectId });
    expect(refusal(await commands.addProjectMember(dave, { projectId, userId: 'zoe', role: 'MEMBER' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    const repeated = success(await commands.addProjectMember(bob, { projectId, userId: 'dave', role: 'MEMBER' }));
    expect(repeated.events).toEqual([]);
    expect(refusal(await commands.removeProjectMember(alice, { projectId, userId: 'bob' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await countEvents(sql, { streamId: projectId })).toBe(before);

    const removed = success(await commands.removeProjectMember(alice, { projectId, userId: 'dave' }));
    expect(removed.state.members.map((m) => m.userId)).toEqual(['bob', 'alice']);
    expect(removed.version).toBe(before + 1);
  });

  commandsTest('an archived project refuses changes until it is unarchived', async ({ commands }) => {
    const { id: projectId } = success(await commands.createProject(bob, { name: 'Archive Me' }));
    expect(refusal(await commands.archiveProject(alice, { projectId }))).toMatchObject({ code: 'FORBIDDEN' });
    success(await commands.archiveProject(carol, { projectId }));
    expect(success(await commands.archiveProject(carol, { projectId })).events).toEqual([]);
    expect(refusal(await commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }))).toMatchObject({
      code: 'INVALID_STATE',
      currentStatus: 'ARCHIVED',
    });
    const active = success(await commands.unarchiveProject(bob, { projectId }));
    expect(active.state.status).toBe('ACTIVE');
    success(await commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
  });

  commandsTest("another tenant's project is NOT_FOUND, exactly like a missing one", async ({ sql, commands }) => {
    const { id: projectId } = success(await commands.createProject(bob, { name: 'Private' }));
    const before = await countEvents(sql);
    const foreign = refusal(await commands.addProjectMember(eve, { projectId, userId: 'eve', role: 'MEMBER' }));
    const missing = refusal(
      await commands.addProjectMember(eve, { projectId: crypto.randomUUID(), userId: 'eve', role: 'MEMBER' }),
    );
    expect(foreign).toEqual(missing);
    expect(foreign.code).toBe('NOT_FOUND');
    expect(refusal(await commands.archiveProject(eve, { projectId }))).toEqual(missing);
    expect(refusal(await commands.archiveProject(eve, { projectId: 'not-a-uuid' }))).toEqual(missing);
    expect(await countEvents(sql)).toBe(before);
  });
});
