import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { systemPrincipal } from '../../src/domain/index.ts';
import { createEventStore } from '../../src/event-store/index.ts';
import { idOf } from '../../src/graphql/ids.ts';
import { person } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  AddProjectMemberDocument,
  ApproveVmRequestDocument,
  CreateProjectDocument,
  DecommissionVmDocument,
  PowerOffVmDocument,
  PowerOnVmDocument,
  ProjectQuotaDocument,
  VmLifeChangesDocument,
  type VmLifeChangesSubscription,
  VmLifeCountsDocument,
  VmLifeDocument,
  type VmLifeFieldsFragment,
  VmLifeUpdatedDocument,
  type VmLifeUpdatedSubscription,
} from './generated/graphql.ts';
import { dataOf, http, type Received, subscribeWs, wsClient } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';

/** `status power pending` of a version, `!` when it carries an operation failure. */
const life = (r: VmLifeFieldsFragment): string =>
  `${r.status} ${r.powerState ?? '-'} ${r.pendingOperation ?? '-'}${r.lastOperationFailure ? ` !${r.lastOperationFailure.operation}` : ''}`;

type Change = VmLifeChangesSubscription['vmRequestChanges'];

describe('a READY VM powered off, on and decommissioned through the API, followed live', () => {
  let server: TestServer;
  let tenant: Tenant;
  /** A member of another project of the tenant only. */
  let carolToken: string;
  /** PROJECT_ADMIN of the request's project, not a tenant admin. */
  let danToken: string;
  let feed: Received<VmLifeChangesSubscription>;
  let closeFeed: () => Promise<void>;
  let request: { id: string; version: number };

  const events = async () => (await createEventStore(server.database.sql).readStream(idOf(request.id, 'VmRequest')!)).length;
  const current = async () => dataOf(await http(server.url, tenant.aliceToken, VmLifeDocument, { id: request.id })).vmRequest!;
  /** The feed's versions of the request, from `version` on. */
  const feedFrom = (version: number): Change[] =>
    feed.values.map((v) => v.vmRequestChanges).filter((c) => c.vmRequest.id === request.id && c.vmRequest.version >= version);
  const untilFeed = (done: (change: Change) => boolean) =>
    feed.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === request.id && done(v.vmRequestChanges)), 30_000);

  beforeAll(async () => {
    server = await startTestServer({
      pollIntervalMs: 50,
      provisioning: { stageMs: 20, options: { maxAttempts: 2, backoffMs: 50, backoffMaxMs: 50 } },
    });
    tenant = await setupTenant(server);
    carolToken = await server.token(person(tenant.tenant, 'carol'));
    danToken = await server.token(person(tenant.tenant, 'dan'));
    const other = dataOf(await http(server.url, tenant.adminToken, CreateProjectDocument, { input: { name: `Other ${tenant.tenant}` } })).createProject;
    if (other.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(other));
    for (const [projectId, userId, role] of [
      [other.project.id, 'carol', 'MEMBER'],
      [tenant.projectId, 'dan', 'PROJECT_ADMIN'],
    ] as const) {
      const added = dataOf(await http(server.url, tenant.adminToken, AddProjectMemberDocument, { input: { projectId, userId, role } })).addProjectMember;
      expect(added.__typename).toBe('AddProjectMemberPayload');
    }

    // An admin's feed of the project, with the project's usage as each change is delivered.
    const ws = wsClient(server.wsUrl, tenant.adminToken);
    feed = subscribeWs(ws, VmLifeChangesDocument, { projectId: tenant.projectId });
    closeFeed = async () => void (await ws.dispose());
    const created = await createRequest(server, tenant.aliceToken, tenant.projectId, { size: 'M' });
    request = { id: created.id, version: created.version };
    const approved = dataOf(await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: 1 } })).approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');
    await untilFeed((c) => c.vmRequest.status === 'READY');
    request.version = feedFrom(0).at(-1)!.vmRequest.version;
  }, 60_000);

  afterAll(async () => {
    await closeFeed?.();
    await server?.close();
  });

  it('READY: powered on, nothing pending, counted as running in the project', async () => {
    const ready = feedFrom(0).at(-1)!;
    expect(life(ready.vmRequest)).toBe('READY ON -');
    expect(ready.vmRequest.project.usage.running).toMatchObject({ vms: 1, vcpus: 4 });
    expect(await current()).toMatchObject({ status: 'READY', powerState: 'ON', pendingOperation: null, decommissionedAt: null, lastOperationFailure: null });
  });

  it('refuses whoever may not act, a stale version, a VM already on and a too long reason, writing nothing', async () => {
    const before = await events();
    const off = (token: string, expectedVersion?: number) =>
      http(server.url, token, PowerOffVmDocument, { input: { id: request.id, ...(expectedVersion === undefined ? {} : { expectedVersion }) } }).then(
        (r) => dataOf(r).powerOffVm,
      );
    // A user of another project, and a member of the same project who did not ask for it: as for a request they cannot see.
    expect(await off(carolToken)).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await off(tenant.bobToken)).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await off(tenant.aliceToken, request.version - 1)).toMatchObject({
      __typename: 'ConcurrencyError',
      expectedVersion: request.version - 1,
      actualVersion: request.version,
    });
    const on = dataOf(await http(server.url, tenant.aliceToken, PowerOnVmDocument, { input: { id: request.id } })).powerOnVm;
    expect(on).toMatchObject({ __typename: 'InvalidStateError', currentStatus: 'READY', message: expect.stringMatching(/already on/) });
    const long = dataOf(await http(server.url, tenant.aliceToken, DecommissionVmDocument, { input: { id: request.id, reason: 'x'.repeat(501) } })).decommissionVm;
    expect(long).toMatchObject({ __typename: 'ValidationError', field: 'reason' });
    const unknown = dataOf(await http(server.url, tenant.aliceToken, PowerOffVmDocument, { input: { id: 'not-an-id' } })).powerOffVm;
    expect(unknown.__typename).toBe('NotFoundError');

    expect(await events()).toBe(before);
    expect(await current()).toMatchObject({ version: request.version, powerState: 'ON', pendingOperation: null });
  });

  it('powerOffVm: the answer has the power off pending; the feed shows it pending, then the VM off', async () => {
    const answer = dataOf(await http(server.url, tenant.aliceToken, PowerOffVmDocument, { input: { id: request.id, expectedVersion: request.version } })).powerOffVm;
    if (answer.__typename !== 'PowerOffVmPayload') throw new Error(JSON.stringify(answer));
    expect(life(answer.vmRequest)).toBe('READY ON POWER_OFF');
    expect(answer.vmRequest.version).toBe(request.version + 1);
    await untilFeed((c) => c.vmRequest.powerState === 'OFF');
    expect(feedFrom(request.version + 1).map((c) => life(c.vmRequest))).toEqual(['READY ON POWER_OFF', 'READY OFF -']);
    request.version += 2;

    // Off now: another power off is refused, and writes nothing.
    const before = await events();
    const again = dataOf(await http(server.url, tenant.aliceToken, PowerOffVmDocument, { input: { id: request.id } })).powerOffVm;
    expect(again).toMatchObject({ __typename: 'InvalidStateError', message: expect.stringMatching(/already off/) });
    expect(await events()).toBe(before);
  });

  it('powerOnVm by a project admin who did not ask for it: pending, then on', async () => {
    const answer = dataOf(await http(server.url, danToken, PowerOnVmDocument, { input: { id: request.id, expectedVersion: request.version } })).powerOnVm;
    if (answer.__typename !== 'PowerOnVmPayload') throw new Error(JSON.stringify(answer));
    expect(life(answer.vmRequest)).toBe('READY OFF POWER_ON');
    await untilFeed((c) => c.vmRequest.version === request.version + 2);
    expect(feedFrom(request.version + 1).map((c) => life(c.vmRequest))).toEqual(['READY OFF POWER_ON', 'READY ON -']);
    request.version += 2;
  });

  it('a power off the hypervisor keeps refusing: given up after its attempts, the VM still on, the failure shown', async () => {
    server.provisioning!.hypervisor.inject({ operation: 'powerOff', code: 'CONNECTION_FAILED', requestId: idOf(request.id, 'VmRequest')!, message: 'vCenter is down' });
    try {
      const answer = dataOf(await http(server.url, tenant.adminToken, PowerOffVmDocument, { input: { id: request.id } })).powerOffVm;
      expect(answer.__typename).toBe('PowerOffVmPayload');
      await untilFeed((c) => c.vmRequest.lastOperationFailure !== null);
    } finally {
      server.provisioning!.hypervisor.clearFailures();
    }
    const failed = feedFrom(request.version + 1);
    expect(failed.map((c) => life(c.vmRequest))).toEqual(['READY ON POWER_OFF', 'READY ON - !POWER_OFF']);
    expect(failed.at(-1)!.vmRequest.lastOperationFailure).toMatchObject({ operation: 'POWER_OFF', code: 'CONNECTION_FAILED', message: 'vCenter is down', attempts: 2, at: expect.any(String) });
    request.version += 2;
  });

  it('decommissionVm: pending, then DECOMMISSIONED with its time; the project usage drops; the watch completes', async () => {
    const watchWs = wsClient(server.wsUrl, tenant.aliceToken);
    const watch = subscribeWs(watchWs, VmLifeUpdatedDocument, { id: request.id });
    await watch.waitFor(1);
    const running = feedFrom(0).at(-1)!.vmRequest.project.usage.running.vms;

    const answer = dataOf(
      await http(server.url, tenant.aliceToken, DecommissionVmDocument, { input: { id: request.id, expectedVersion: request.version, reason: 'Load tests are over' } }),
    ).decommissionVm;
    if (answer.__typename !== 'DecommissionVmPayload') throw new Error(JSON.stringify(answer));
    expect(life(answer.vmRequest)).toBe('READY ON DECOMMISSION !POWER_OFF');
    await untilFeed((c) => c.vmRequest.status === 'DECOMMISSIONED');
    const changes = feedFrom(request.version + 1);
    expect(changes.map((c) => life(c.vmRequest))).toEqual(['READY ON DECOMMISSION !POWER_OFF', 'DECOMMISSIONED - -']);
    const gone = changes.at(-1)!.vmRequest;
    expect(Date.parse(gone.decommissionedAt!)).toBeGreaterThanOrEqual(Date.parse(changes[0]!.vmRequest.lastOperationFailure!.at!));
    // The usage each change carries is read as it is delivered: the decommissioned VM no longer counts.
    expect(gone.project.usage.running.vms).toBe(running - 1);
    const project = dataOf(await http(server.url, tenant.adminToken, ProjectQuotaDocument, { id: tenant.projectId })).project!;
    expect(project.usage.running.vms).toBe(running - 1);
    expect(project.usage.counted.vms).toBe(running - 1);

    // The request's own watch sent every version since it joined and completed after the final status.
    await watch.ended(30_000);
    expect((watch as Received<VmLifeUpdatedSubscription>).values.map((v) => life(v.vmRequestUpdated))).toEqual([
      'READY ON - !POWER_OFF',
      'READY ON DECOMMISSION !POWER_OFF',
      'DECOMMISSIONED - -',
    ]);
    await watchWs.dispose();

    // Nothing more can be done to it.
    const before = await events();
    const on = dataOf(await http(server.url, tenant.aliceToken, PowerOnVmDocument, { input: { id: request.id } })).powerOnVm;
    expect(on).toMatchObject({ __typename: 'InvalidStateError', currentStatus: 'DECOMMISSIONED' });
    expect(await events()).toBe(before);
  });

  it('the timeline says who did what; statusCounts and the status filter know DECOMMISSIONED', async () => {
    const detail = await current();
    const after = detail.timeline.slice(detail.timeline.findIndex((entry) => entry.type === 'READY') + 1);
    expect(after.map((entry) => `${entry.type} ${entry.actorId?.startsWith('system:') ? 'system' : entry.actorId}`)).toEqual([
      'POWER_OFF_REQUESTED alice',
      'POWERED_OFF system',
      'POWER_ON_REQUESTED dan',
      'POWERED_ON system',
      'POWER_OFF_REQUESTED admin',
      'OPERATION_FAILED system',
      'DECOMMISSION_REQUESTED alice',
      'DECOMMISSIONED system',
    ]);
    expect(after.map((entry) => entry.details)).toEqual([
      'Power off requested by alice',
      'Powered off by the system, as requested',
      'Power on requested by dan',
      'Powered on by the system, as requested',
      'Power off requested by admin',
      'Power off failed after 2 attempt(s): CONNECTION_FAILED: vCenter is down',
      'Decommission requested by alice: Load tests are over',
      'Decommissioned by the system, as requested: the VM was deleted and its quota released',
    ]);

    const counts = dataOf(await http(server.url, tenant.adminToken, VmLifeCountsDocument, { projectId: tenant.projectId })).decommissioned;
    expect(counts.edges.map((edge) => edge.node.id)).toEqual([request.id]);
    expect(counts.totalCount).toBe(1);
    expect(counts.statusCounts.find((s) => s.status === 'DECOMMISSIONED')?.count).toBe(1);
  });

  it("reconciliation's findings (through its command handlers): a power change and a deletion outside DVMM, live, the usage released", async () => {
    const created = await createRequest(server, tenant.bobToken, tenant.projectId, { size: 'S' });
    const approved = dataOf(await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: created.id, expectedVersion: 1 } })).approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');
    const ofVm = () => feed.values.map((v) => v.vmRequestChanges).filter((c) => c.vmRequest.id === created.id);
    await feed.waitUntil(() => ofVm().some((c) => c.vmRequest.status === 'READY'), 30_000);
    const running = ofVm().at(-1)!.vmRequest.project.usage.running.vms;

    const commands = createCommandHandlers(createEventStore(server.database.sql));
    const id = idOf(created.id, 'VmRequest')!;
    const observer = systemPrincipal(tenant.tenant);
    expect((await commands.observeVmPowerState(observer, { id, powerState: 'OFF' })).ok).toBe(true);
    await feed.waitUntil(() => ofVm().some((c) => c.vmRequest.powerState === 'OFF'), 30_000);
    expect((await commands.observeVmDeleted(observer, { id })).ok).toBe(true);
    await feed.waitUntil(() => ofVm().some((c) => c.vmRequest.status === 'DECOMMISSIONED'), 30_000);

    const after = ofVm().filter((c) => c.vmRequest.version > ofVm().find((r) => r.vmRequest.status === 'READY')!.vmRequest.version);
    expect(after.map((c) => life(c.vmRequest))).toEqual(['READY OFF -', 'DECOMMISSIONED - -']);
    expect(after.at(-1)!.vmRequest.decommissionedAt).toEqual(expect.any(String));
    expect(after.at(-1)!.vmRequest.project.usage.running.vms).toBe(running - 1);
    const detail = dataOf(await http(server.url, tenant.bobToken, VmLifeDocument, { id: created.id })).vmRequest!;
    expect(detail.timeline.slice(-2).map((entry) => `${entry.type}: ${entry.details}`)).toEqual([
      'POWER_STATE_OBSERVED: Powered off in vCenter, outside DVMM',
      'DELETION_OBSERVED: Observed in vCenter, outside DVMM: the VM was deleted; its quota is released',
    ]);
  });
});
