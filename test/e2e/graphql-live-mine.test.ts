import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/projections/changes.ts';
import { ApproveVmRequestDocument, VmRequestChangesDocument } from './generated/graphql.ts';
import { dataOf, http, subscribeWs, wsClient } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let database: TestDatabase;
let server: TestServer;
let tenant: Tenant;

const START = encodeCursor({ transactionId: 0n, position: 0n });

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ database });
  tenant = await setupTenant(server);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

type Change = { vmRequestChanges: { vmRequest: { id: string; version: number; requesterId: string } } };
const versions = (values: Change[]): string[] => values.map(({ vmRequestChanges: { vmRequest } }) => `${vmRequest.id}@${vmRequest.version}`);
const has = (id: string, version: number) => (values: Change[]) => versions(values).includes(`${id}@${version}`);

const approve = async (token: string, id: string) => {
  const result = dataOf(await http(server.url, token, ApproveVmRequestDocument, { input: { id, expectedVersion: 1 } })).approveVmRequest;
  expect(result.__typename).toBe('ApproveVmRequestPayload');
};

describe('vmRequestChanges(mine: true)', () => {
  it("gives an admin only their own requests' versions, in the since replay and live", async () => {
    // Before anyone subscribes: one request of alice's and one of the admin's, both replayed from START.
    const alicesEarly = await createRequest(server, tenant.aliceToken, tenant.projectId);
    const adminsEarly = await createRequest(server, tenant.adminToken, tenant.projectId);

    const adminClient = wsClient(server.wsUrl, tenant.adminToken);
    const aliceClient = wsClient(server.wsUrl, tenant.aliceToken);
    const mineReplayed = subscribeWs(adminClient, VmRequestChangesDocument, { since: START, mine: true });
    const allReplayed = subscribeWs(adminClient, VmRequestChangesDocument, { since: START });
    const alicesMine = subscribeWs(aliceClient, VmRequestChangesDocument, { since: START, mine: true });
    const alicesAll = subscribeWs(aliceClient, VmRequestChangesDocument, { since: START });
    const mineLive = subscribeWs(adminClient, VmRequestChangesDocument, { mine: true });
    // Every feed is live once all have subscribed and a probe of the admin's arrived on the live one.
    await expect.poll(() => server.services.live.subscriberCount()).toBeGreaterThanOrEqual(5);
    const probe = await createRequest(server, tenant.adminToken, tenant.projectId);
    await mineLive.waitUntil(has(probe.id, 1));

    // Live: alice's request and its approval by the admin; the admin's request and its approval by another admin.
    const alices = await createRequest(server, tenant.aliceToken, tenant.projectId);
    const admins = await createRequest(server, tenant.adminToken, tenant.projectId);
    await approve(tenant.adminToken, alices.id);
    await approve(tenant.otherAdminToken, admins.id);
    const last = await createRequest(server, tenant.adminToken, tenant.projectId);

    for (const feed of [mineReplayed, allReplayed, mineLive]) await feed.waitUntil(has(last.id, 1));
    const adminOwn = [`${admins.id}@1`, `${admins.id}@2`, `${last.id}@1`];
    expect(versions(mineReplayed.values)).toEqual([`${adminsEarly.id}@1`, `${probe.id}@1`, ...adminOwn]);
    // Without `since` the feed starts with the next change: whether that is after the early request depends on when
    // the projector wrote it, so only what followed the probe is certain.
    const live = versions(mineLive.values);
    expect(live.slice(live.indexOf(`${probe.id}@1`))).toEqual([`${probe.id}@1`, ...adminOwn]);
    for (const feed of [mineReplayed, mineLive]) {
      expect(feed.values.every(({ vmRequestChanges }) => vmRequestChanges.vmRequest.requesterId === 'admin')).toBe(true);
    }
    // The unfiltered feed of the same admin had alice's versions, so the filter is what left them out.
    expect(versions(allReplayed.values)).toEqual([
      `${alicesEarly.id}@1`,
      `${adminsEarly.id}@1`,
      `${probe.id}@1`,
      `${alices.id}@1`,
      `${admins.id}@1`,
      `${alices.id}@2`,
      `${admins.id}@2`,
      `${last.id}@1`,
    ]);
    for (const feed of [mineReplayed, allReplayed, mineLive]) {
      expect(feed.errors).toEqual([]);
      feed.unsubscribe();
    }

    // For a user, mine: true is what they get anyway: their own requests.
    for (const feed of [alicesMine, alicesAll]) await feed.waitUntil(has(alices.id, 2));
    expect(versions(alicesMine.values)).toEqual([`${alicesEarly.id}@1`, `${alices.id}@1`, `${alices.id}@2`]);
    expect(versions(alicesAll.values)).toEqual(versions(alicesMine.values));
    alicesMine.unsubscribe();
    alicesAll.unsubscribe();
    await adminClient.dispose();
    await aliceClient.dispose();
  });
});
