import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VM_REQUEST_STREAM } from '../../src/commands/index.ts';
import { createEventStore } from '../../src/event-store/index.ts';
import { compareCheckpoints, decodeCursor } from '../../src/projections/changes.ts';
import { idOf } from '../../src/graphql/ids.ts';
import { PROJECTIONS, startProjector } from '../../src/projections/index.ts';
import {
  ApproveVmRequestDocument,
  VmRequestDetailDocument,
  VmRequestDocument,
  type VmRequestFieldsFragment,
  VmRequestChangesFullDocument,
  VmRequestUpdatedDocument,
} from './generated/graphql.ts';
import { dataOf, http, type Received, subscribeSse, subscribeWs, wsClient } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Every state of a request from creation to READY, as `status:stage@version`. */
const EVERY_STATE = [
  'PENDING@1',
  'APPROVED@2',
  'PROVISIONING@3',
  'PROVISIONING:CLONING@4',
  'PROVISIONING:CONFIGURING@5',
  'PROVISIONING:POWERING_ON@6',
  'PROVISIONING:WAITING_FOR_NETWORK@7',
  // The stage is over once READY.
  'READY@8',
];

const state = (r: Pick<VmRequestFieldsFragment, 'status' | 'provisioningStage' | 'version'>): string =>
  `${r.status}${r.provisioningStage ? `:${r.provisioningStage}` : ''}@${r.version}`;

type Updated = { vmRequestUpdated: VmRequestFieldsFragment };
type Changed = { vmRequestChanges: { cursor: string; vmRequest: VmRequestFieldsFragment } };

const reachedReady = (values: Updated[]) => values.at(-1)?.vmRequestUpdated.status === 'READY';

const ofRequest = (received: Received<Changed>, id: string) =>
  received.values.map((v) => v.vmRequestChanges).filter((change) => change.vmRequest.id === id);

/** `status:stage#attempt@version`, `+retry` while a retry waits. */
const progress = (r: VmRequestFieldsFragment): string =>
  `${state(r).replace('@', `#${r.provisioningAttempt ?? '-'}@`)}${r.nextRetryAt ? '+retry' : ''}`;

/** The READY state carries what the hypervisor reported. */
const expectReady = (ready: VmRequestFieldsFragment | undefined) =>
  expect(ready).toMatchObject({
    status: 'READY',
    provisioningStage: null,
    nextRetryAt: null,
    failureCode: null,
    vmwareVmId: expect.stringMatching(/.+/),
    hostname: expect.stringMatching(/.+/),
    ipAddress: expect.stringMatching(/.+/),
  });

/** Every cursor a change feed gave is a resume point: each after the one before. */
const expectIncreasing = (cursors: string[]) => {
  const checkpoints = cursors.map((cursor) => decodeCursor(cursor)!);
  for (let i = 1; i < checkpoints.length; i++) expect(compareCheckpoints(checkpoints[i - 1]!, checkpoints[i]!)).toBe(-1);
};

const approve = async (server: TestServer, tenant: Tenant, id: string) => {
  const approved = dataOf(
    await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id, expectedVersion: 1 } }),
  ).approveVmRequest;
  expect(approved.__typename).toBe('ApproveVmRequestPayload');
};

describe('a request followed live from creation to READY', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await startTestServer({ pollIntervalMs: 50, provisioning: { stageMs: 30 } });
    tenant = await setupTenant(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('shows every version, in order and once, over graphql-ws and SSE and in the change feed', async () => {
    const ws = wsClient(server.wsUrl, tenant.aliceToken);
    const changes = subscribeWs(ws, VmRequestChangesFullDocument, { projectId: tenant.projectId, since: null });
    // A first change through it shows the change feed is live before the request of interest exists.
    const warmUp = await createRequest(server, tenant.aliceToken, tenant.projectId);
    await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === warmUp.id));

    const request = await createRequest(server, tenant.aliceToken, tenant.projectId, { size: 'S' });
    const overWs = subscribeWs(ws, VmRequestUpdatedDocument, { id: request.id });
    const overSse = subscribeSse(server.url, tenant.aliceToken, VmRequestUpdatedDocument, { id: request.id });
    await overWs.waitFor(1);
    await overSse.waitFor(1);
    await approve(server, tenant, request.id);

    for (const received of [overWs, overSse] as Received<Updated>[]) {
      await received.waitUntil(reachedReady, 30_000);
      // READY is not the end of a request's life: the watch stays open for its power changes and decommissioning.
      expect(received.completed).toBe(false);
      received.unsubscribe();
      const states = received.values.map((v) => v.vmRequestUpdated);
      expect(states.map(state)).toEqual(EVERY_STATE);
      expectReady(states.at(-1));
      expect(received.errors).toEqual([]);
    }

    await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === request.id && v.vmRequestChanges.vmRequest.status === 'READY'));
    const feed = ofRequest(changes, request.id);
    expect(feed.map((change) => state(change.vmRequest))).toEqual(EVERY_STATE);
    expectReady(feed.at(-1)?.vmRequest);
    // Each version has its own cursor, and every cursor of the feed is a resume point: distinct, in order.
    expectIncreasing(changes.values.map((v) => v.vmRequestChanges.cursor));

    // Resuming from an intermediate version (CLONING) gives every version after it, once each.
    const resumed = subscribeWs(ws, VmRequestChangesFullDocument, { projectId: tenant.projectId, since: feed[3]!.cursor });
    await resumed.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === request.id && v.vmRequestChanges.vmRequest.status === 'READY'));
    const again = ofRequest(resumed, request.id);
    expect(again.map((change) => state(change.vmRequest))).toEqual(EVERY_STATE.slice(4));
    expect(ofRequest(resumed, warmUp.id)).toEqual([]);

    changes.unsubscribe();
    resumed.unsubscribe();
    await ws.dispose();
  });
});

describe('a request whose provisioning the projector applies in one batch', () => {
  let server: TestServer;
  let tenant: Tenant;
  let quiet: Tenant;

  beforeAll(async () => {
    server = await startTestServer({ pollIntervalMs: 50, provisioning: { stageMs: 10 } });
    tenant = await setupTenant(server);
    quiet = await setupTenant(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('still shows every version, in order, to subscribers that joined before', async () => {
    const ws = wsClient(server.wsUrl, tenant.adminToken);
    const changes = subscribeWs(ws, VmRequestChangesFullDocument, { projectId: tenant.projectId, since: null });
    const warmUp = await createRequest(server, tenant.aliceToken, tenant.projectId);
    await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === warmUp.id));

    // One request the feed has delivered before (the change feed saw its creation), and one of a tenant nobody here
    // listened to until its watcher came, once the read model had it.
    const seen = await createRequest(server, tenant.aliceToken, tenant.projectId);
    await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === seen.id));
    const unseen = await createRequest(server, quiet.aliceToken, quiet.projectId);
    const seenWatch = subscribeWs(ws, VmRequestUpdatedDocument, { id: seen.id });
    const unseenWatch = subscribeSse(server.url, quiet.aliceToken, VmRequestUpdatedDocument, { id: unseen.id });
    await seenWatch.waitFor(1);
    await unseenWatch.waitFor(1);

    // The projector stops; provisioning runs to READY in the event store; the projector then applies it all at once.
    await server.projector!.stop();
    await approve(server, tenant, seen.id);
    await approve(server, quiet, unseen.id);
    const store = createEventStore(server.database.sql);
    for (const id of [seen.id, unseen.id]) {
      await expect.poll(async () => (await store.readStream(idOf(id, 'VmRequest')!)).map((event) => event.type), { timeout: 30_000 }).toContain('VmRequestReady');
    }
    const projector = await startProjector({ sql: server.database.sql, projections: PROJECTIONS, pollIntervalMs: 50, log: () => {} });
    try {
      for (const received of [seenWatch, unseenWatch] as Received<Updated>[]) {
        await received.waitUntil(reachedReady, 30_000);
        received.unsubscribe();
        expect(received.values.map((v) => state(v.vmRequestUpdated))).toEqual(EVERY_STATE);
        expectReady(received.values.at(-1)?.vmRequestUpdated);
      }
      await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === seen.id && v.vmRequestChanges.vmRequest.status === 'READY'));
      expect(ofRequest(changes, seen.id).map((change) => state(change.vmRequest))).toEqual(EVERY_STATE);
      // The versions one batch applied sort with the rest of the feed: cursors strictly increasing.
      expectIncreasing(changes.values.map((v) => v.vmRequestChanges.cursor));
    } finally {
      changes.unsubscribe();
      await ws.dispose();
      await projector.stop();
    }
  });
});

describe('a request whose first attempt fails with a retryable error', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await startTestServer({
      pollIntervalMs: 50,
      provisioning: {
        stageMs: 20,
        // Failures are injected per request once it exists (a rule names its request).
        options: { backoffMs: 400, backoffMaxMs: 400 },
      },
    });
    tenant = await setupTenant(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('shows the attempt, the backoff with its end, the stages of the next attempt, and READY after two attempts', async () => {
    const request = await createRequest(server, tenant.aliceToken, tenant.projectId, { size: 'S' });
    const requestId = idOf(request.id, 'VmRequest')!;
    server.provisioning!.hypervisor.inject({ operation: 'powerOn', code: 'CONNECTION_FAILED', attempts: [1], requestId });
    const ws = wsClient(server.wsUrl, tenant.aliceToken);
    const watch = subscribeWs(ws, VmRequestUpdatedDocument, { id: request.id });
    await watch.waitFor(1);
    await approve(server, tenant, request.id);
    await (watch as Received<Updated>).waitUntil(reachedReady, 30_000);
    watch.unsubscribe();
    const states = (watch as Received<Updated>).values.map((v) => v.vmRequestUpdated);
    expect(states.map(progress)).toEqual([
      'PENDING#-@1',
      'APPROVED#-@2',
      'PROVISIONING#1@3',
      'PROVISIONING:CLONING#1@4',
      'PROVISIONING:CONFIGURING#1@5',
      'PROVISIONING:POWERING_ON#1@6',
      'PROVISIONING#2@7+retry',
      'PROVISIONING:CLONING#2@8',
      'PROVISIONING:CONFIGURING#2@9',
      'PROVISIONING:POWERING_ON#2@10',
      'PROVISIONING:WAITING_FOR_NETWORK#2@11',
      'READY#2@12',
    ]);
    // The retry is announced for when the backoff ends, after the failure was recorded.
    const waiting = states[6]!;
    expect(Date.parse(waiting.nextRetryAt!)).toBeGreaterThan(Date.parse(waiting.updatedAt));
    expect(Date.parse(states[7]!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(waiting.nextRetryAt!));
    expectReady(states.at(-1));

    // A query answers the same as the live path, with the timeline's entry types as enum values.
    const detail = dataOf(await http(server.url, tenant.aliceToken, VmRequestDetailDocument, { id: request.id })).vmRequest;
    expect(detail).toMatchObject({ status: 'READY', provisioningStage: null, provisioningAttempt: 2, nextRetryAt: null });
    expect(detail?.timeline.map((entry) => entry.type)).toEqual([
      'CREATED',
      'APPROVED',
      'PROVISIONING_STARTED',
      'PROVISIONING_PROGRESSED',
      'PROVISIONING_PROGRESSED',
      'PROVISIONING_PROGRESSED',
      'PROVISIONING_RETRY_SCHEDULED',
      'PROVISIONING_PROGRESSED',
      'PROVISIONING_PROGRESSED',
      'PROVISIONING_PROGRESSED',
      'PROVISIONING_PROGRESSED',
      'READY',
    ]);
    expect(detail?.timeline[6]?.details).toMatch(/^Attempt 1 failed: CONNECTION_FAILED: .+; attempt 2 starts at /);
    await ws.dispose();
  });

  it('a non-retryable error: FAILED with its code as an enum value, the stage cleared, one attempt', async () => {
    const request = await createRequest(server, tenant.aliceToken, tenant.projectId, { size: 'S' });
    const requestId = idOf(request.id, 'VmRequest')!;
    server.provisioning!.hypervisor.inject({ operation: 'configure', code: 'TEMPLATE_NOT_FOUND', requestId, message: 'no template "base"' });
    await approve(server, tenant, request.id);
    await expect
      .poll(async () => dataOf(await http(server.url, tenant.aliceToken, VmRequestDocument, { id: request.id })).vmRequest?.status, { timeout: 30_000 })
      .toBe('FAILED');
    const failed = dataOf(await http(server.url, tenant.aliceToken, VmRequestDocument, { id: request.id })).vmRequest;
    expect(failed).toMatchObject({
      provisioningStage: null,
      provisioningAttempt: 1,
      nextRetryAt: null,
      failureCode: 'TEMPLATE_NOT_FOUND',
      failureMessage: 'no template "base"',
    });
  });

  it('a stored failure code this server does not know answers as UNKNOWN, with its message, instead of an error', async () => {
    const request = await createRequest(server, tenant.aliceToken, tenant.projectId, { size: 'S' });
    const requestId = idOf(request.id, 'VmRequest')!;
    // Written as an older or foreign adapter might have: straight into the stream, not through this server's codes.
    const store = createEventStore(server.database.sql);
    await store.append(
      requestId,
      1,
      [
        { type: 'VmRequestApproved', data: { approvedBy: 'admin' } },
        { type: 'VmRequestProvisioningStarted', data: {} },
        { type: 'VmRequestProvisioningFailed', data: { errorCode: 'VSPHERE_LICENSE_EXPIRED', errorMessage: 'license expired', attempts: 1 } },
      ],
      {
        streamType: VM_REQUEST_STREAM,
        tenantId: tenant.tenant,
        metadata: {
          tenantId: tenant.tenant,
          userId: 'system:provisioning',
          correlationId: randomUUID(),
          causationId: null,
          commandId: randomUUID(),
          occurredAt: new Date().toISOString(),
        },
      },
    );
    await expect
      .poll(async () => (await http(server.url, tenant.aliceToken, VmRequestDocument, { id: request.id })).data?.vmRequest?.status, { timeout: 30_000 })
      .toBe('FAILED');
    const answer = await http(server.url, tenant.aliceToken, VmRequestDocument, { id: request.id });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.vmRequest).toMatchObject({ failureCode: 'UNKNOWN', failureMessage: 'license expired', provisioningAttempt: 1 });
  });
});
