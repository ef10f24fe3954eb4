import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSchemaVersions } from '../../src/domain/index.ts';
import { countEvents, type CommandsHarness, openCommands, refusal, success } from './commands-fixtures.ts';
import { alice, bob, carol, dave, eve } from '../support/personas.ts';

let h: CommandsHarness;
beforeAll(async () => {
  h = await openCommands();
});
afterAll(async () => h.close());

describe('createProject', () => {
  it('writes ProjectCreated and the creator as PROJECT_ADMIN in one append, with full metadata', async () => {
    const created = success(
      await h.commands.createProject(bob, { name: 'Webshop', description: 'The shop' }, { correlationId: 'corr-1' }),
    );
    expect(created.state).toMatchObject({
      status: 'ACTIVE',
      name: 'Webshop',
      description: 'The shop',
      members: [{ userId: 'bob', role: 'PROJECT_ADMIN' }],
    });
    expect(created.version).toBe(2);
    expect(created.duplicate).toBe(false);

    const stored = await h.store.readStream(created.id);
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

  it('refuses a name taken in the tenant, ignoring case, and writes nothing', async () => {
    success(await h.commands.createProject(bob, { name: 'Billing' }));
    const before = await countEvents(h.t);
    const error = refusal(await h.commands.createProject(carol, { name: '  BILLING ' }));
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'name' });
    expect(await countEvents(h.t)).toBe(before);
  });

  it('lets another tenant use the same name', async () => {
    success(await h.commands.createProject(bob, { name: 'Shared Name' }));
    success(await h.commands.createProject(eve, { name: 'shared name' }));
  });

  it('two concurrent creates with names differing only in case give one project', async () => {
    const before = await countEvents(h.t, { type: 'ProjectCreated' });
    const results = await Promise.all([
      h.commands.createProject(bob, { name: 'Race Project' }),
      h.commands.createProject(carol, { name: 'RACE PROJECT' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual([
      expect.objectContaining({ code: 'VALIDATION', field: 'name' }),
    ]);
    expect(await countEvents(h.t, { type: 'ProjectCreated' })).toBe(before + 1);
    const [row] = await h.t.sql<{ n: number }[]>`
      select count(*)::int as n from project_names where tenant_id = 'acme' and name_key = 'race project'`;
    expect(row!.n).toBe(1);
  });

  it('twenty concurrent creates of one name in twenty spellings give one project', async () => {
    const spellings = Array.from({ length: 20 }, (_, i) =>
      [...'crowded'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join(''),
    );
    const results = await Promise.all(spellings.map((name) => h.commands.createProject(bob, { name })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const [row] = await h.t.sql<{ n: number }[]>`
      select count(*)::int as n from events where event_type = 'ProjectCreated' and lower(data->>'name') = 'crowded'`;
    expect(row!.n).toBe(1);
  });

  it('only admins create projects; a refusal writes nothing', async () => {
    const before = await countEvents(h.t);
    expect(refusal(await h.commands.createProject(alice, { name: 'Mine' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await h.commands.createProject(bob, { name: 'x' }))).toMatchObject({ code: 'VALIDATION', field: 'name' });
    expect(await countEvents(h.t)).toBe(before);
    // A refused name is not reserved either.
    success(await h.commands.createProject(bob, { name: 'Mine' }));
  });

  it('a retried idempotency key creates the project once and returns the first result', async () => {
    const before = await countEvents(h.t);
    const first = success(await h.commands.createProject(bob, { name: 'Idempotent' }, { idempotencyKey: 'k-1' }));
    const again = success(await h.commands.createProject(bob, { name: 'Idempotent' }, { idempotencyKey: 'k-1' }));
    expect(again).toMatchObject({ id: first.id, version: first.version, duplicate: true, state: first.state });
    expect(again.events).toEqual(first.events);
    expect(await countEvents(h.t)).toBe(before + 2);
  });

  it('concurrent retries of one idempotency key write once', async () => {
    const before = await countEvents(h.t);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.commands.createProject(bob, { name: 'Concurrent Retry' }, { idempotencyKey: 'k-concurrent' }),
      ),
    );
    const values = results.map(success);
    expect(new Set(values.map((v) => v.id)).size).toBe(1);
    expect(values.filter((v) => !v.duplicate)).toHaveLength(1);
    expect(await countEvents(h.t)).toBe(before + 2);
  });

  it('the same key from another user is another command', async () => {
    const first = success(await h.commands.createProject(bob, { name: 'Key Scope A' }, { idempotencyKey: 'shared' }));
    const second = success(await h.commands.createProject(carol, { name: 'Key Scope B' }, { idempotencyKey: 'shared' }));
    expect(second.id).not.toBe(first.id);
    expect(second.duplicate).toBe(false);
  });
});

describe('members and archiving', () => {
  it('admins and project admins manage members; members do not', async () => {
    const project = success(await h.commands.createProject(bob, { name: 'Members' }));
    const projectId = project.id;
    success(await h.commands.addProjectMember(carol, { projectId, userId: 'alice', role: 'PROJECT_ADMIN' }));
    const added = success(await h.commands.addProjectMember(alice, { projectId, userId: 'dave', role: 'MEMBER' }));
    expect(added.state.members.map((m) => m.userId)).toEqual(['bob', 'alice', 'dave']);

    const before = await countEvents(h.t, { streamId: projectId });
    expect(refusal(await h.commands.addProjectMember(dave, { projectId, userId: 'zoe', role: 'MEMBER' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    const repeated = success(await h.commands.addProjectMember(bob, { projectId, userId: 'dave', role: 'MEMBER' }));
    expect(repeated.events).toEqual([]);
    expect(refusal(await h.commands.removeProjectMember(alice, { projectId, userId: 'bob' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await countEvents(h.t, { streamId: projectId })).toBe(before);

    const removed = success(await h.commands.removeProjectMember(alice, { projectId, userId: 'dave' }));
    expect(removed.state.members.map((m) => m.userId)).toEqual(['bob', 'alice']);
    expect(removed.version).toBe(before + 1);
  });

  it('an archived project refuses changes until it is unarchived', async () => {
    const { id: projectId } = success(await h.commands.createProject(bob, { name: 'Archive Me' }));
    expect(refusal(await h.commands.archiveProject(alice, { projectId }))).toMatchObject({ code: 'FORBIDDEN' });
    success(await h.commands.archiveProject(carol, { projectId }));
    expect(success(await h.commands.archiveProject(carol, { projectId })).events).toEqual([]);
    expect(refusal(await h.commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }))).toMatchObject({
      code: 'INVALID_STATE',
      currentStatus: 'ARCHIVED',
    });
    const active = success(await h.commands.unarchiveProject(bob, { projectId }));
    expect(active.state.status).toBe('ACTIVE');
    success(await h.commands.addProjectMember(bob, { projectId, userId: 'alice', role: 'MEMBER' }));
  });

  it("another tenant's project is NOT_FOUND, exactly like a missing one", async () => {
    const { id: projectId } = success(await h.commands.createProject(bob, { name: 'Private' }));
    const before = await countEvents(h.t);
    const foreign = refusal(await h.commands.addProjectMember(eve, { projectId, userId: 'eve', role: 'MEMBER' }));
    const missing = refusal(
      await h.commands.addProjectMember(eve, { projectId: crypto.randomUUID(), userId: 'eve', role: 'MEMBER' }),
    );
    expect(foreign).toEqual(missing);
    expect(foreign.code).toBe('NOT_FOUND');
    expect(refusal(await h.commands.archiveProject(eve, { projectId }))).toEqual(missing);
    expect(refusal(await h.commands.archiveProject(eve, { projectId: 'not-a-uuid' }))).toEqual(missing);
    expect(await countEvents(h.t)).toBe(before);
  });
});
