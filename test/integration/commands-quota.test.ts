import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { type CommandHandlers, createCommandHandlers } from '../../src/commands/index.ts';
import { createSql, type Sql } from '../../src/db/client.ts';
import { type Principal, systemPrincipal } from '../../src/domain/index.ts';
import { createEventStore, type EventStore } from '../../src/event-store/index.ts';
import { countEvents, projectTest, refusal, success } from './commands-fixtures.ts';
import { alice, bob, carol, eve, person } from '../support/personas.ts';

const system = systemPrincipal('acme');

projectTest.override('poolSize', 30);

/** A project of its own per test, alice a member, with `limits` set by bob. */
async function quotaProject(commands: CommandHandlers, name: string, limits: Record<string, number | null> = {}): Promise<string> {
  const { id } = success(await commands.createProject(bob, { name }));
  success(await commands.addProjectMember(bob, { projectId: id, userId: alice.userId, role: 'MEMBER' }));
  if (Object.keys(limits).length > 0) success(await commands.setProjectQuota(bob, { projectId: id, expectedVersion: 3, ...limits }));
  return id;
}

const request = (projectId: string, vmName: string, size = 'M') => ({
  projectId,
  vmName: `q-${vmName}`,
  size,
  justification: 'Capacity for the quota test',
});

/** What the ledger holds for a project: the figures quotas are checked against. */
async function held(sql: Sql, projectId: string) {
  const [row] = await sql<{ vms: number; vcpus: number; running: number }[]>`
    select count(*)::int as vms, coalesce(sum(vcpus), 0)::int as vcpus, count(*) filter (where running)::int as running
    from project_quota_holds where project_id = ${projectId}`;
  return row!;
}

/** The same figures folded from the event streams: every request of the project in a counted status. */
async function countedFromEvents(sql: Sql, projectId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from events c
    where c.event_type = 'VmRequestCreated' and c.data->>'projectId' = ${projectId}
      and not exists (select 1 from events e where e.stream_id = c.stream_id
                      and e.event_type in ('VmRequestRejected', 'VmRequestCancelled', 'VmRequestProvisioningFailed'))`;
  return row!.n;
}

async function toReady(commands: CommandHandlers, id: string): Promise<void> {
  success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }));
  success(await commands.startProvisioning(system, { id }));
  success(await commands.completeProvisioning(system, { id, vmwareVmId: `vm-${id}`, hostname: `h-${id}`, ipAddress: '10.0.0.1' }));
}

describe('quota under concurrency', () => {
  projectTest('50 concurrent creates against maxVms = 10: exactly 10 requests, the other 40 QUOTA_EXCEEDED', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Fifty', { maxVms: 10 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => commands.createVmRequest(alice, request(projectId, `vm-${i}`, 'S'))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    for (const result of results.filter((r) => !r.ok)) {
      expect(refusal(result)).toMatchObject({ code: 'QUOTA_EXCEEDED', resource: 'VMS', limit: 10, used: 10, requested: 1 });
    }
    expect(await countedFromEvents(sql, projectId)).toBe(10);
    expect(await held(sql, projectId)).toEqual({ vms: 10, vcpus: 20, running: 0 });
  });

  projectTest('two independent command-handler sets, each with its own pool: still exactly 10', async ({ sql, url, commands }) => {
    const projectId = await quotaProject(commands, 'Two pools', { maxVms: 10 });
    const otherSql = createSql(url, { max: 10 });
    try {
      const other = createCommandHandlers(createEventStore(otherSql));
      // Both sets have decided on the project (and cached it) before the race.
      refusal(await other.createVmRequest(alice, request(projectId, 'bad name!')));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? commands : other).createVmRequest(alice, request(projectId, `vm-${i}`, 'S')),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(10);
      expect(results.filter((r) => !r.ok).every((r) => refusal(r).code === 'QUOTA_EXCEEDED')).toBe(true);
      expect(await countedFromEvents(sql, projectId)).toBe(10);
      expect((await held(sql, projectId)).vms).toBe(10);
    } finally {
      await otherSql.end();
    }
  });

  projectTest('a cancel racing a create frees exactly what it held', async ({ sql, commands }) => {
    // maxVCpus 16: the XL being cancelled holds all of it; the racing create is an L (8).
    for (let round = 0; round < 10; round++) {
      const projectId = await quotaProject(commands, `Race ${round}`, { maxVCpus: 16 });
      const { id: xl } = success(await commands.createVmRequest(alice, request(projectId, 'big', 'XL')));
      const [cancelled, created] = await Promise.all([
        commands.cancelVmRequest(alice, { id: xl }),
        commands.createVmRequest(alice, request(projectId, 'next', 'L')),
      ]);
      success(cancelled);
      // Either the cancel came first (the L fits) or the create did (16 + 8 > 16); never both held, never lost.
      if (!created.ok) expect(created.error).toMatchObject({ code: 'QUOTA_EXCEEDED', resource: 'VCPUS', used: 16, requested: 8 });
      const expected = created.ok ? { vms: 1, vcpus: 8, running: 0 } : { vms: 0, vcpus: 0, running: 0 };
      expect(await held(sql, projectId)).toEqual(expected);
      expect(await countedFromEvents(sql, projectId)).toBe(expected.vms);
    }
  });
});

describe("a project without limits (creates hold in the append's own statement)", () => {
  projectTest('a quota set racing its creates: every hold is in the ledger, and the limit binds at once after', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Unlimited race');
    const [quota, ...results] = await Promise.all([
      commands.setProjectQuota(bob, { projectId, expectedVersion: 3, maxVms: 5 }),
      ...Array.from({ length: 30 }, (_, i) => commands.createVmRequest(alice, request(projectId, `vm-${i}`, 'S'))),
    ]);
    success(quota);
    // Creates ordered before the quota may exceed it (a lowered limit binds new requests only); those after may not.
    for (const result of results.filter((r) => !r.ok)) expect(refusal(result)).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 5 });
    const made = results.filter((r) => r.ok).length;
    expect(await countedFromEvents(sql, projectId)).toBe(made);
    expect(await held(sql, projectId)).toEqual({ vms: made, vcpus: 2 * made, running: 0 });
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'after')))).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      used: made,
    });
  });
});

describe('what counts', () => {
  projectTest('REJECTED, CANCELLED and FAILED release; READY keeps counting, as running', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Lifecycle', { maxVms: 4 });
    const ids: string[] = [];
    for (const name of ['rejected', 'cancelled', 'failed', 'ready']) {
      ids.push(success(await commands.createVmRequest(alice, request(projectId, name))).id);
    }
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'fifth')))).toMatchObject({ code: 'QUOTA_EXCEEDED', used: 4 });
    const [rejected, cancelled, failed, ready] = ids as [string, string, string, string];
    success(await commands.rejectVmRequest(bob, { id: rejected, expectedVersion: 1, reason: 'Not in this budget' }));
    success(await commands.cancelVmRequest(alice, { id: cancelled }));
    success(await commands.approveVmRequest(bob, { id: failed, expectedVersion: 1 }));
    success(await commands.startProvisioning(system, { id: failed }));
    success(await commands.failProvisioning(system, { id: failed, errorCode: 'TEMPLATE_NOT_FOUND', errorMessage: 'gone', attempts: 1 }));
    await toReady(commands, ready);
    expect(await held(sql, projectId)).toEqual({ vms: 1, vcpus: 4, running: 1 });
    // Three were released, so three more fit, and no more.
    for (const name of ['a', 'b', 'c']) success(await commands.createVmRequest(alice, request(projectId, name)));
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'd')))).toMatchObject({ code: 'QUOTA_EXCEEDED', used: 4 });
  });

  projectTest('a retried release (idempotency key, or a repeated cancel) releases nothing twice', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Retries', { maxVms: 1 });
    const { id: first } = success(await commands.createVmRequest(alice, request(projectId, 'first')));
    success(await commands.cancelVmRequest(alice, { id: first }, { idempotencyKey: 'cancel-first' }));
    const { id: second } = success(await commands.createVmRequest(alice, request(projectId, 'second')));
    // The same cancel again (a retried request) and a second click: the first request's hold is gone already.
    expect(success(await commands.cancelVmRequest(alice, { id: first }, { idempotencyKey: 'cancel-first' })).duplicate).toBe(true);
    expect(success(await commands.cancelVmRequest(alice, { id: first })).events).toEqual([]);
    expect(await held(sql, projectId)).toEqual({ vms: 1, vcpus: 4, running: 0 });
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'third')))).toMatchObject({ code: 'QUOTA_EXCEEDED', used: 1 });
    // A retried provisioning failure likewise.
    success(await commands.approveVmRequest(bob, { id: second, expectedVersion: 1 }));
    success(await commands.startProvisioning(system, { id: second }));
    const fail = { id: second, errorCode: 'UNKNOWN', errorMessage: 'broke', attempts: 1 };
    success(await commands.failProvisioning(system, fail, { idempotencyKey: 'fail-second' }));
    expect(success(await commands.failProvisioning(system, fail, { idempotencyKey: 'fail-second' })).duplicate).toBe(true);
    expect(await held(sql, projectId)).toEqual({ vms: 0, vcpus: 0, running: 0 });
    expect(await countEvents(sql, { streamId: second, type: 'VmRequestProvisioningFailed' })).toBe(1);
  });

  projectTest('a project without limits holds its requests too, so a later quota counts them', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Later');
    for (const name of ['a', 'b', 'c']) success(await commands.createVmRequest(alice, request(projectId, name, 'L')));
    expect(await held(sql, projectId)).toEqual({ vms: 3, vcpus: 24, running: 0 });
    success(await commands.setProjectQuota(bob, { projectId, expectedVersion: 3, maxVCpus: 30 }));
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'd', 'L')))).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'VCPUS',
      limit: 30,
      used: 24,
      requested: 8,
    });
    success(await commands.createVmRequest(alice, request(projectId, 'e', 'M')));
  });
});

describe('a limit of 0', () => {
  projectTest('allows nothing of that resource, is not "no limit", and lifting it lets requests in again', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Zero', { maxVms: 0 });
    const before = await countEvents(sql);
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'none', 'S')))).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'VMS',
      limit: 0,
      used: 0,
      requested: 1,
    });
    // Zero disk only: VMs and vCPUs unlimited, yet every size needs disk.
    success(await commands.setProjectQuota(bob, { projectId, expectedVersion: 4, maxVms: null, maxStorageGb: 0 }));
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'no-disk', 'S')))).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'STORAGE_GB',
      limit: 0,
      used: 0,
    });
    expect(await countEvents(sql)).toBe(before + 1); // only the second ProjectQuotaSet
    expect(await held(sql, projectId)).toEqual({ vms: 0, vcpus: 0, running: 0 });

    success(await commands.setProjectQuota(bob, { projectId, expectedVersion: 5 }));
    expect(await sql`select max_vms, max_storage_gb from project_quotas where project_id = ${projectId}`).toEqual([{ max_vms: null, max_storage_gb: null }]);
    const { id } = success(await commands.createVmRequest(alice, request(projectId, 'now-fine', 'S')));
    // Set to 0 while a request is pending: it stays, but cannot be approved.
    success(await commands.setProjectQuota(bob, { projectId, expectedVersion: 6, maxVCpus: 0 }));
    expect(refusal(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }))).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'VCPUS',
      limit: 0,
      used: 0,
      requested: 2,
    });
    expect(await held(sql, projectId)).toEqual({ vms: 1, vcpus: 2, running: 0 });
  });
});

describe('lowering a limit', () => {
  projectTest('nothing is taken away, but an approval is checked again: QUOTA_EXCEEDED, nothing written', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Lowered', { maxVms: 3 });
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push(success(await commands.createVmRequest(alice, request(projectId, name))).id);
    const lowered = success(await commands.setProjectQuota(bob, { projectId, expectedVersion: 4, maxVms: 2 }));
    expect(lowered.state.quota).toMatchObject({ maxVms: 2 });
    expect(await held(sql, projectId)).toMatchObject({ vms: 3 });

    const before = await countEvents(sql);
    expect(refusal(await commands.approveVmRequest(bob, { id: ids[0]!, expectedVersion: 1 }))).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'VMS',
      limit: 2,
      used: 2,
      requested: 1,
    });
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'd')))).toMatchObject({ code: 'QUOTA_EXCEEDED', used: 3 });
    expect(await countEvents(sql)).toBe(before);

    // Once one is cancelled, the others fit under the new limit and can be approved.
    success(await commands.cancelVmRequest(alice, { id: ids[2]! }));
    success(await commands.approveVmRequest(bob, { id: ids[0]!, expectedVersion: 1 }));
    success(await commands.approveVmRequest(bob, { id: ids[1]!, expectedVersion: 1 }));
  });

  projectTest('an approval racing a lowered limit: either it fits the new limit or it is refused', async ({ sql, commands }) => {
    const projectId = await quotaProject(commands, 'Approve race', { maxVms: 2 });
    const { id: a } = success(await commands.createVmRequest(alice, request(projectId, 'a')));
    success(await commands.createVmRequest(alice, request(projectId, 'b')));
    const [approved, lowered] = await Promise.all([
      commands.approveVmRequest(bob, { id: a, expectedVersion: 1 }),
      commands.setProjectQuota(bob, { projectId, expectedVersion: 4, maxVms: 1 }),
    ]);
    success(lowered);
    // An approval that came first was within the old limit; one after it is measured by the new one (2 > 1).
    if (!approved.ok) expect(approved.error).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 1, used: 1, requested: 1 });
    expect(await countEvents(sql, { streamId: a })).toBe(approved.ok ? 2 : 1);
  });
});

describe('setProjectQuota refusals write nothing', () => {
  projectTest('negative, absurd and fractional limits, a stale version, a user, another tenant', async ({ sql, commands, projectId }) => {
    const before = await countEvents(sql);
    const set = (who: Principal, limits: Record<string, number | null>, expectedVersion = 3, id = projectId) =>
      commands.setProjectQuota(who, { projectId: id, expectedVersion, ...limits });

    const invalid = refusal(await set(bob, { maxVms: -1, maxVCpus: 1_000_001, maxRamGb: 2.5, maxStorageGb: 1_000_000 }));
    expect(invalid).toMatchObject({ code: 'VALIDATION', field: 'maxVms' });
    expect(invalid.code === 'VALIDATION' && invalid.fields.map((f) => f.field)).toEqual(['maxVms', 'maxVCpus', 'maxRamGb']);
    expect(refusal(await set(bob, { maxVms: 1 }, -1))).toMatchObject({ code: 'VALIDATION', field: 'expectedVersion' });
    expect(refusal(await set(bob, { maxVms: 1 }, 2))).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 2, actualVersion: 3 });
    expect(refusal(await set(alice, { maxVms: 1 }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await set(person('acme', 'pa'), { maxVms: 1 }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await set(eve, { maxVms: 1 }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(refusal(await set(bob, { maxVms: 1 }, 0, '5f1b7c1e-0000-4000-8000-000000000000'))).toMatchObject({ code: 'NOT_FOUND' });

    expect(await countEvents(sql)).toBe(before);
    expect(await sql`select 1 from project_quotas where project_id = ${projectId}`).toHaveLength(0);
    // A second admin may set it; the event is on the project stream and the ledger has the limits.
    success(await set(carol, { maxVms: 0 }));
    expect(await countEvents(sql, { streamId: projectId, type: 'ProjectQuotaSet' })).toBe(1);
    expect(await sql`select max_vms, max_vcpus from project_quotas where project_id = ${projectId}`).toEqual([{ max_vms: 0, max_vcpus: null }]);
  });
});

describe('history from before quotas', () => {
  projectTest('the migration counts requests written before the ledger existed', async ({ sql, store, commands }) => {
    const projectId = await quotaProject(commands, 'Old history');
    // Requests as an earlier version wrote them: events only, no ledger rows.
    const legacy = async (size: string, ...after: { type: string; data: Record<string, string | number> }[]) => {
      const id = crypto.randomUUID();
      const metadata = { tenantId: 'acme', userId: 'alice', correlationId: id, causationId: id, commandId: id, occurredAt: new Date().toISOString() };
      const created = { type: 'VmRequestCreated', data: { projectId, vmName: `old-${size}`, size, justification: 'From before quotas', requester: { id: 'alice', email: null, name: null } } };
      await appendRaw(store, id, [created, ...after], metadata);
      return id;
    };
    await legacy('S');
    await legacy('M', { type: 'VmRequestCancelled', data: {} });
    await legacy('L', { type: 'VmRequestApproved', data: { approvedBy: 'bob' } }, { type: 'VmRequestProvisioningStarted', data: {} },
      { type: 'VmRequestReady', data: { vmwareVmId: 'vm-l', hostname: 'old-l' } });
    await legacy('XL', { type: 'VmRequestApproved', data: { approvedBy: 'bob' } }, { type: 'VmRequestProvisioningStarted', data: {} },
      { type: 'VmRequestProvisioningFailed', data: { errorCode: 'UNKNOWN', errorMessage: 'x', attempts: 1 } });
    expect(await held(sql, projectId)).toEqual({ vms: 0, vcpus: 0, running: 0 });

    const migration = readFileSync(new URL('../../drizzle/0014_project_quota_backfill.sql', import.meta.url), 'utf8');
    await sql.unsafe(migration);
    await sql.unsafe(migration); // again: nothing counted twice
    expect(await held(sql, projectId)).toEqual({ vms: 2, vcpus: 10, running: 1 });

    success(await commands.setProjectQuota(bob, { projectId, expectedVersion: 3, maxVms: 3 }));
    success(await commands.createVmRequest(alice, request(projectId, 'new')));
    expect(refusal(await commands.createVmRequest(alice, request(projectId, 'newer')))).toMatchObject({ code: 'QUOTA_EXCEEDED', used: 3 });
  });
});

async function appendRaw(
  store: EventStore,
  streamId: string,
  events: { type: string; data: Record<string, unknown> }[],
  metadata: { tenantId: string; userId: string; correlationId: string; causationId: string; commandId: string; occurredAt: string },
): Promise<void> {
  await store.append(streamId, 'no_stream', events.map((e) => ({ type: e.type, data: e.data as never })), {
    streamType: 'VmRequest',
    tenantId: 'acme',
    metadata,
  });
}
