import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCursorDocument, VmRequestChangesDocument } from './generated/graphql.ts';
import { dataOf, http, subscribeWs, wsClient } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// liveCursor closes the gap between a query and the subscription that keeps it fresh: read the cursor, query, then
// subscribe `since` it; whatever changed after the cursor was read reaches the subscription, whatever the timing.

let server: TestServer;
let tenant: Tenant;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await setupTenant(server);
});
afterAll(async () => {
  await server?.close();
});

describe('Query.liveCursor', () => {
  it('is where the feed stands: a subscription since it gets exactly the changes made after it was read', async () => {
    const before = await createRequest(server, tenant.aliceToken, tenant.projectId, { vmName: 'before-cursor' });
    // Until the read model has it (its checkpoint commits with the row), the cursor would stand before it.
    await expect
      .poll(async () => (await server.database.sql`select 1 from vm_requests where vm_name = 'before-cursor'`).length, { timeout: 20_000 })
      .toBe(1);
    const cursor = dataOf(await http(server.url, tenant.aliceToken, LiveCursorDocument, {})).liveCursor;
    const after = await createRequest(server, tenant.aliceToken, tenant.projectId, { vmName: 'after-cursor' });

    // Subscribed only now, after the second request was made (and maybe already published): it still arrives.
    const client = wsClient(server.wsUrl, tenant.aliceToken);
    try {
      const received = subscribeWs(client, VmRequestChangesDocument, { projectId: null, since: cursor, mine: null });
      await expect.poll(() => received.values.map((value) => value.vmRequestChanges.vmRequest.id), { timeout: 20_000 }).toContain(after.id);
      expect(received.values.map((value) => value.vmRequestChanges.vmRequest.id)).not.toContain(before.id);
    } finally {
      await client.dispose();
    }
  });

  it('needs a token', async () => {
    const refused = await http(server.url, null, LiveCursorDocument, {});
    expect(refused.status).toBe(401);
  });
});
