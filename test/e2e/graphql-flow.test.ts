import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore } from '../../src/event-store/index.ts';
import { encodeCursor } from '../../src/projections/changes.ts';
import { createSimulatedHypervisor, startProvisioning } from '../../src/provisioning/index.ts';
import {
  ApproveVmRequestDocument,
  PendingApprovalsDocument,
  VmRequestChangesDocument,
  VmRequestDetailDocument,
  VmRequestUpdatedDocument,
  VmRequestsDocument,
  VmRequestsWithMembersDocument,
  ViewerDocument,
  VmSizesDocument,
} from './generated/graphql.ts';
import { dataOf, http, subscribeSse, subscribeWs, wsClient } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let tenant: Tenant;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await setupTenant(server);
});

afterAll(async () => {
  await server?.close();
});

describe('a member requests a VM and an admin approves it', () => {
  it('shows every state to subscribers that joined before, in order, over graphql-ws and SSE', async () => {
    const request = await createRequest(server, tenant.aliceToken, tenant.projectId);
    expect(request.status).toBe('PENDING');
    expect(request.version).toBe(1);

    const ws = wsClient(server.wsUrl, tenant.aliceToken);
    const overWs = subscribeWs(ws, VmRequestUpdatedDocument, { id: request.id });
    const overSse = subscribeSse(server.url, tenant.aliceToken, VmRequestUpdatedDocument, { id: request.id });
    // From the start of the log: the replay covers whatever happened before the subscription was registered.
    const since = encodeCursor({ transactionId: 0n, position: 0n });
    const changesWs = subscribeWs(ws, VmRequestChangesDocument, { projectId: tenant.projectId, since });
    await overWs.waitFor(1);
    await overSse.waitFor(1);
    await changesWs.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === request.id));

    const approved = dataOf(
      await http(server.url, tenant.adminToken, ApproveVmRequestDocument, {
        input: { id: request.id, expectedVersion: request.version },
      }),
    ).approveVmRequest;
    // The payload is the request as the command left it: no wait for the projector.
    expect(approved).toMatchObject({ __typename: 'ApproveVmRequestPayload', vmRequest: { status: 'APPROVED', version: 2, decidedBy: 'admin' } });

    const statuses = (values: { vmRequestUpdated: { status: string } }[]) => values.map((v) => v.vmRequestUpdated.status);
    await overWs.waitFor(2);
    await overSse.waitFor(2);
    expect(statuses(overWs.values).slice(0, 2)).toEqual(['PENDING', 'APPROVED']);
    expect(statuses(overSse.values).slice(0, 2)).toEqual(['PENDING', 'APPROVED']);
    // Provisioning is followed in the next test, and version by version in graphql-provisioning-flow.test.ts.

    const changes = await changesWs.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.status === 'APPROVED'));
    const ofRequest = changes.map((v) => v.vmRequestChanges.vmRequest).filter((r) => r.id === request.id);
    expect(ofRequest.map((r) => [r.status, r.version])).toEqual([['PENDING', 1], ['APPROVED', 2]]);

    overWs.unsubscribe();
    overSse.unsubscribe();
    changesWs.unsubscribe();
    await ws.dispose();
  });

  it('follows an approved request through every provisioning stage to READY, and keeps watching it', async () => {
    // The provisioning process of this instance, on the simulated hypervisor (each stage long enough to be its own
    // change: a subscriber sees the latest state, and states committed together would show as one).
    const store = createEventStore(server.database.sql);
    const provisioning = await startProvisioning({
      sql: server.database.sql,
      store,
      hypervisor: createSimulatedHypervisor({ stageMs: 300 }),
      options: { pollIntervalMs: 100, projectorPollIntervalMs: 100, networkTimeoutMs: 5_000 },
      log: () => {},
    });
    try {
      const request = await createRequest(server, tenant.aliceToken, tenant.projectId, { size: 'S' });
      const ws = wsClient(server.wsUrl, tenant.aliceToken);
      const overWs = subscribeWs(ws, VmRequestUpdatedDocument, { id: request.id });
      const overSse = subscribeSse(server.url, tenant.aliceToken, VmRequestUpdatedDocument, { id: request.id });
      await overWs.waitFor(1);
      await overSse.waitFor(1);
      await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: 1 } });

      const expected = [
        'PENDING',
        'APPROVED',
        'PROVISIONING',
        'PROVISIONING:CLONING',
        'PROVISIONING:CONFIGURING',
        'PROVISIONING:POWERING_ON',
        'PROVISIONING:WAITING_FOR_NETWORK',
        'READY',
      ];
      for (const received of [overWs, overSse]) {
        await received.waitUntil((values) => values.at(-1)?.vmRequestUpdated.status === 'READY', 60_000);
        // The watch outlives READY (power changes and the decommission follow).
        expect(received.completed).toBe(false);
        received.unsubscribe();
        const states = received.values.map((v) => v.vmRequestUpdated);
        expect(states.map((r) => (r.provisioningStage ? `${r.status}:${r.provisioningStage}` : r.status))).toEqual(expected);
        expect(states.map((r) => r.version)).toEqual(expected.map((_, i) => i + 1));
        expect(states.at(-1)).toMatchObject({ status: 'READY', hostname: expect.any(String), vmwareVmId: expect.any(String) });
        expect(received.errors).toEqual([]);
      }
      await ws.dispose();
    } finally {
      await provisioning.stop();
      await store.flush();
    }
  });

  it('lists, queues and details requests from the read model', async () => {
    const request = await createRequest(server, tenant.bobToken, tenant.projectId, { size: 'XL' });
    // The read model catches up asynchronously; wait until the request shows in the admin queue.
    await expect.poll(async () => {
      const queue = dataOf(await http(server.url, tenant.adminToken, PendingApprovalsDocument, { first: 100 }));
      return queue.pendingApprovals.edges.map((edge) => edge.node.id);
    }).toContain(request.id);

    const detail = dataOf(await http(server.url, tenant.bobToken, VmRequestDetailDocument, { id: request.id })).vmRequest;
    expect(detail).toMatchObject({ id: request.id, size: 'XL', spec: { vcpus: 16, memoryGb: 32, diskGb: 500, monthlyCostEur: 200 } });
    expect(detail?.project.id).toBe(tenant.projectId);
    expect(detail?.timeline.map((entry) => entry.type)).toEqual(['CREATED']);
    expect(detail?.auditTrail.verified).toBe(true);
    expect(detail?.auditTrail.events.map((event) => event.type)).toEqual(['VmRequestCreated']);

    const mine = dataOf(await http(server.url, tenant.bobToken, VmRequestsDocument, { first: 50 })).vmRequests;
    expect(mine.edges.every((edge) => edge.node.requesterId === 'bob')).toBe(true);
    expect(mine.edges.map((edge) => edge.node.id)).toContain(request.id);

    const nested = dataOf(await http(server.url, tenant.adminToken, VmRequestsWithMembersDocument, { first: 10 }));
    expect(nested.vmRequests.edges[0]?.node.project.members.map((m) => m.userId).sort()).toEqual(['admin', 'alice', 'bob']);
  });

  it('answers viewer and vmSizes', async () => {
    const viewer = dataOf(await http(server.url, tenant.aliceToken, ViewerDocument)).viewer;
    expect(viewer).toEqual({ id: 'alice', tenantId: tenant.tenant, roles: ['user'], email: `alice@${tenant.tenant}.test`, name: 'Alice' });
    const sizes = dataOf(await http(server.url, tenant.aliceToken, VmSizesDocument)).vmSizes;
    expect(sizes.map((s) => s.size)).toEqual(['S', 'M', 'L', 'XL']);
  });
});
