import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { createCommandHandlers, readProject, readVmRequest } from '../../src/commands/index.ts';
import { systemPrincipal } from '../../src/domain/index.ts';
import { countEvents, projectTest, refusal, success, validRequest } from './commands-fixtures.ts';
import { alice, bob, carol, dave, eve, person } from '../support/personas.ts';

const system = systemPrincipal('acme');

/** projectTest with `newRequest`: alice (or `by`) requests a VM in the file's project. */
const requestTest = projectTest.extend(
  'newRequest',
  ({ commands, projectId }) =>
    async (by = alice, vmName = 'web-01') =>
      success(await commands.createVmRequest(by, validRequest(projectId, vmName))),
);

describe('createVmRequest', () => {
  requestTest('a member requests a VM: PENDING at version 1, the requester from the token, full metadata', async ({ store, projectId, newRequest }) => {
    const created = await newRequest();
    expect(created.state).toMatchObject({
      status: 'PENDING',
      projectId,
      vmName: 'web-01',
      size: 'M',
      requester: { id: 'alice', email: 'alice@acme.test', name: 'Alice' },
    });
    expect(created.version).toBe(1);
    const [stored] = await store.readStream(created.id);
    expect(stored).toMatchObject({ type: 'VmRequestCreated', streamType: 'VmRequest', tenantId: 'acme' });
    expect(Object.keys(stored!.metadata).sort()).toEqual(
      ['causationId', 'commandId', 'correlationId', 'occurredAt', 'tenantId', 'userId'].sort(),
    );
    expect(stored!.metadata).toMatchObject({ tenantId: 'acme', userId: 'alice' });
    expect(created.events).toHaveLength(1);
    expect(created.createdAt).toBe(stored!.metadata.occurredAt);
  });

  requestTest('refuses non-members, missing, foreign and archived projects, and bad input, writing nothing', async ({ sql, commands, projectId }) => {
    const foreignProject = success(await commands.createProject(eve, { name: 'Globex' })).id;
    const archivedProject = success(await commands.createProject(bob, { name: 'Old' })).id;
    success(await commands.archiveProject(bob, { projectId: archivedProject }));
    const before = await countEvents(sql);

    expect(refusal(await commands.createVmRequest(dave, validRequest(projectId)))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await commands.createVmRequest(alice, validRequest(randomUUID())))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(refusal(await commands.createVmRequest(bob, validRequest(foreignProject)))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(refusal(await commands.createVmRequest(bob, validRequest(archivedProject)))).toMatchObject({
      code: 'INVALID_STATE',
      currentStatus: 'ARCHIVED',
    });
    expect(refusal(await commands.createVmRequest(alice, validRequest(projectId, 'Bad--Name')))).toMatchObject({
      code: 'VALIDATION',
      field: 'vmName',
    });
    expect(
      refusal(await commands.createVmRequest(alice, { ...validRequest(projectId), justification: 'too short' })),
    ).toMatchObject({ code: 'VALIDATION', field: 'justification' });
    expect(await countEvents(sql)).toBe(before);
  });

  requestTest('an admin may request in a project they are not a member of', async ({ commands, projectId }) => {
    const created = success(await commands.createVmRequest(carol, validRequest(projectId)));
    expect(created.state.requester.id).toBe('carol');
  });

  requestTest('a retried idempotency key creates one request and returns the first result', async ({ sql, commands, projectId }) => {
    const before = await countEvents(sql);
    const first = success(await commands.createVmRequest(alice, validRequest(projectId), { idempotencyKey: 'req-1' }));
    const again = success(await commands.createVmRequest(alice, validRequest(projectId), { idempotencyKey: 'req-1' }));
    expect(again).toMatchObject({ id: first.id, version: 1, duplicate: true });
    expect(await countEvents(sql)).toBe(before + 1);
    // The first result even after the request has moved on.
    success(await commands.approveVmRequest(bob, { id: first.id, expectedVersion: 1 }));
    const later = success(await commands.createVmRequest(alice, validRequest(projectId), { idempotencyKey: 'req-1' }));
    expect(later).toMatchObject({ id: first.id, version: 1, duplicate: true, state: { status: 'PENDING' } });
    expect(await countEvents(sql)).toBe(before + 2);
  });

  requestTest('concurrent retries of one idempotency key write once', async ({ sql, commands, projectId }) => {
    const before = await countEvents(sql, { type: 'VmRequestCreated' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        commands.createVmRequest(alice, validRequest(projectId, 'retry'), { idempotencyKey: 'req-concurrent' }),
      ),
    );
    const values = results.map(success);
    expect(new Set(values.map((v) => v.id)).size).toBe(1);
    expect(values.filter((v) => !v.duplicate)).toHaveLength(1);
    expect(await countEvents(sql, { type: 'VmRequestCreated' })).toBe(before + 1);
  });

  requestTest('refuses an overlong idempotency key on its field', async ({ commands, projectId }) => {
    expect(
      refusal(await commands.createVmRequest(alice, validRequest(projectId), { idempotencyKey: 'k'.repeat(201) })),
    ).toMatchObject({ code: 'VALIDATION', field: 'idempotencyKey' });
  });
});

describe('approve and reject', () => {
  requestTest('an admin approves at the current version; the result carries the new version', async ({ commands, newRequest }) => {
    const { id } = await newRequest();
    const result = success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }));
    expect(result.state).toMatchObject({ status: 'APPROVED', decidedBy: 'bob' });
    expect(result.version).toBe(2);
  });

  requestTest('a stale expectedVersion is CONCURRENCY_CONFLICT with both versions, and writes nothing', async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }));
    const before = await countEvents(sql, { streamId: id });
    expect(refusal(await commands.rejectVmRequest(carol, { id, expectedVersion: 1, reason: 'Not needed anymore' })))
      .toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 1, actualVersion: 2 });
    expect(refusal(await commands.approveVmRequest(carol, { id, expectedVersion: 7 }))).toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
      expectedVersion: 7,
      actualVersion: 2,
    });
    expect(refusal(await commands.approveVmRequest(carol, { id, expectedVersion: -1 }))).toMatchObject({
      code: 'VALIDATION',
      field: 'expectedVersion',
    });
    expect(await countEvents(sql, { streamId: id })).toBe(before);
  });

  requestTest('no self-approval or self-rejection; users cannot decide', async ({ sql, commands, newRequest }) => {
    const own = await newRequest(bob);
    const before = await countEvents(sql);
    expect(refusal(await commands.approveVmRequest(bob, { id: own.id, expectedVersion: 1 }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      refusal(await commands.rejectVmRequest(bob, { id: own.id, expectedVersion: 1, reason: 'Changed my mind' })),
    ).toMatchObject({ code: 'FORBIDDEN' });
    const mine = await newRequest(alice);
    expect(refusal(await commands.approveVmRequest(alice, { id: mine.id, expectedVersion: 1 }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await countEvents(sql)).toBe(before + 1);
  });

  requestTest('an admin rejects with a reason', async ({ commands, newRequest }) => {
    const { id } = await newRequest();
    const result = success(await commands.rejectVmRequest(bob, { id, expectedVersion: 1, reason: 'Too large for staging' }));
    expect(result.state).toMatchObject({ status: 'REJECTED', rejectionReason: 'Too large for staging', decidedBy: 'bob' });
    expect(
      refusal(await commands.rejectVmRequest(bob, { id: (await newRequest()).id, expectedVersion: 1, reason: 'short' })),
    ).toMatchObject({ code: 'VALIDATION', field: 'reason' });
  });

  requestTest('a retried approval with an idempotency key returns the first result instead of a conflict', async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    const first = success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }, { idempotencyKey: 'ap-1' }));
    const again = success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }, { idempotencyKey: 'ap-1' }));
    expect(again).toMatchObject({ id, version: 2, duplicate: true, state: first.state });
    expect(await countEvents(sql, { streamId: id, type: 'VmRequestApproved' })).toBe(1);
  });
});

describe('cancel', () => {
  requestTest('the requester cancels; cancelling again succeeds and writes nothing', async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    const cancelled = success(await commands.cancelVmRequest(alice, { id, reason: 'No longer needed' }));
    expect(cancelled.state).toMatchObject({ status: 'CANCELLED', cancellationReason: 'No longer needed' });
    const again = success(await commands.cancelVmRequest(alice, { id }));
    expect(again).toMatchObject({ version: 2, events: [], duplicate: false, state: { status: 'CANCELLED' } });
    expect(await countEvents(sql, { streamId: id })).toBe(2);
  });

  requestTest('another user gets NOT_FOUND; an admin who is not the requester gets FORBIDDEN', async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    const missing = refusal(await commands.cancelVmRequest(dave, { id: randomUUID() }));
    expect(refusal(await commands.cancelVmRequest(dave, { id }))).toEqual(missing);
    expect(refusal(await commands.cancelVmRequest(bob, { id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await countEvents(sql, { streamId: id })).toBe(1);
  });

  requestTest('ten concurrent cancels by the requester all succeed with one VmRequestCancelled', async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    const results = await Promise.all(Array.from({ length: 10 }, () => commands.cancelVmRequest(alice, { id })));
    results.forEach(success);
    expect(await countEvents(sql, { streamId: id, type: 'VmRequestCancelled' })).toBe(1);
  });
});

describe('visibility across users and tenants', () => {
  requestTest("another tenant's request is NOT_FOUND for every command, exactly like a missing id", async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    const before = await countEvents(sql);
    const missing = refusal(await commands.approveVmRequest(eve, { id: randomUUID(), expectedVersion: 1 }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(refusal(await commands.approveVmRequest(eve, { id, expectedVersion: 1 }))).toEqual(missing);
    expect(refusal(await commands.rejectVmRequest(eve, { id, expectedVersion: 1, reason: 'Not for you at all' }))).toEqual(
      missing,
    );
    expect(refusal(await commands.cancelVmRequest(person('globex', 'alice'), { id }))).toEqual(missing);
    expect(refusal(await commands.approveVmRequest(eve, { id: 'nonsense', expectedVersion: 1 }))).toEqual(missing);
    expect(refusal(await commands.startProvisioning(systemPrincipal('globex'), { id }))).toEqual(missing);
    expect(await countEvents(sql)).toBe(before);
  });

  requestTest("a user cannot even see another user's request", async ({ commands, newRequest }) => {
    const { id } = await newRequest(alice);
    const missing = refusal(await commands.approveVmRequest(dave, { id: randomUUID(), expectedVersion: 1 }));
    expect(refusal(await commands.approveVmRequest(dave, { id, expectedVersion: 1 }))).toEqual(missing);
  });

  requestTest('tenants writing at the same time never see each other', async ({ sql, commands, newRequest }) => {
    const globexProject = success(await commands.createProject(eve, { name: 'Webshop' })).id;
    const frank = person('globex', 'frank', 'admin');
    const [acmeIds, globexIds] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, async () => (await newRequest(alice)).id)),
      Promise.all(
        Array.from({ length: 5 }, async () => success(await commands.createVmRequest(eve, validRequest(globexProject))).id),
      ),
    ]);
    const crossed = await Promise.all([
      ...acmeIds.map((id) => commands.approveVmRequest(frank, { id, expectedVersion: 1 })),
      ...globexIds.map((id) => commands.approveVmRequest(carol, { id, expectedVersion: 1 })),
    ]);
    expect(crossed.map((r) => !r.ok && r.error.code)).toEqual(Array(10).fill('NOT_FOUND'));
    const own = await Promise.all([
      ...acmeIds.map((id) => commands.approveVmRequest(carol, { id, expectedVersion: 1 })),
      ...globexIds.map((id) => commands.approveVmRequest(frank, { id, expectedVersion: 1 })),
    ]);
    own.forEach(success);
    const rows = await sql<{ tenant_id: string; n: number }[]>`
      select tenant_id, count(*)::int as n from events
      where stream_id in ${sql([...acmeIds, ...globexIds])} group by tenant_id order by tenant_id`;
    expect(rows).toEqual([
      { tenant_id: 'acme', n: 10 },
      { tenant_id: 'globex', n: 10 },
    ]);
  });
});

describe('provisioning (system commands)', () => {
  requestTest('drives an approved request to READY, carrying the approval correlation id', async ({ store, commands, newRequest }) => {
    const { id } = await newRequest();
    const approval = success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }));
    const approvedEvent = approval.events[0]!;
    const context = { correlationId: approvedEvent.metadata.correlationId, causationId: approvedEvent.metadata.commandId };

    success(await commands.startProvisioning(system, { id }, context));
    for (const stage of ['CLONING', 'CONFIGURING', 'POWERING_ON', 'WAITING_FOR_NETWORK']) {
      success(await commands.reportProvisioningProgress(system, { id, stage }, context));
    }
    const ready = success(
      await commands.completeProvisioning(system, { id, vmwareVmId: 'vm-1', hostname: 'web-01.acme', ipAddress: null }, context),
    );
    expect(ready.state).toMatchObject({ status: 'READY', vmwareVmId: 'vm-1', ipAddress: null, warning: expect.any(String) });
    expect(ready.version).toBe(8);

    const stored = await store.readStream(id);
    expect(stored.slice(2).every((e) => e.metadata.correlationId === context.correlationId)).toBe(true);
    expect(stored.slice(2).every((e) => e.metadata.userId === system.userId)).toBe(true);
  });

  requestTest('refuses a stage out of order and a start outside APPROVED, writing nothing', async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    expect(refusal(await commands.startProvisioning(system, { id }))).toMatchObject({
      code: 'INVALID_STATE',
      currentStatus: 'PENDING',
    });
    success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }));
    success(await commands.startProvisioning(system, { id }));
    expect(refusal(await commands.reportProvisioningProgress(system, { id, stage: 'POWERING_ON' }))).toMatchObject({
      code: 'INVALID_STATE',
    });
    expect(await countEvents(sql, { streamId: id })).toBe(3);
    const failed = success(
      await commands.failProvisioning(system, { id, errorCode: 'TEMPLATE_NOT_FOUND', errorMessage: 'no template', attempts: 1 }),
    );
    expect(failed.state).toMatchObject({ status: 'FAILED', failure: { errorCode: 'TEMPLATE_NOT_FOUND', attempts: 1 } });
  });

  requestTest('an idempotency key makes a redelivered system command harmless', async ({ sql, commands, newRequest }) => {
    const { id } = await newRequest();
    success(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }));
    const first = success(await commands.startProvisioning(system, { id }, { idempotencyKey: `${id}:start` }));
    const again = success(await commands.startProvisioning(system, { id }, { idempotencyKey: `${id}:start` }));
    expect(again).toMatchObject({ duplicate: true, version: first.version });
    expect(await countEvents(sql, { streamId: id })).toBe(3);
  });
});

describe('time', () => {
  requestTest('occurredAt comes from the handler clock; createdAt/updatedAt span the stream', async ({ store, projectId }) => {
    let now = new Date('2030-01-01T10:00:00.000Z');
    const commands = createCommandHandlers(store, { now: () => now });
    const created = success(await commands.createVmRequest(alice, validRequest(projectId)));
    now = new Date('2030-01-02T10:00:00.000Z');
    const approved = success(await commands.approveVmRequest(bob, { id: created.id, expectedVersion: 1 }));
    expect(approved.createdAt).toBe('2030-01-01T10:00:00.000Z');
    expect(approved.updatedAt).toBe('2030-01-02T10:00:00.000Z');
  });
});

describe('reading the write model', () => {
  requestTest('reads a request and a project from their streams, with the same visibility as commands', async ({ store, commands, projectId, newRequest }) => {
    const { id, version } = await newRequest(alice);
    expect(success(await readVmRequest(store, alice, id))).toMatchObject({ id, version, state: { status: 'PENDING' } });
    expect(success(await readVmRequest(store, bob, id)).state.requester.id).toBe('alice');
    expect(success(await readVmRequest(store, system, id, { system: true })).version).toBe(version);
    const missing = refusal(await readVmRequest(store, dave, randomUUID()));
    expect(refusal(await readVmRequest(store, dave, id))).toEqual(missing);
    expect(refusal(await readVmRequest(store, eve, id))).toEqual(missing);
    expect(refusal(await readVmRequest(store, alice, projectId))).toEqual(missing);
    expect(success(await readProject(store, alice, projectId)).state.name).toBe('Webshop');
    expect(refusal(await readProject(store, eve, projectId)).code).toBe('NOT_FOUND');
  });
});
