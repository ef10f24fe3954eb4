import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVersionPruner } from '../../src/projections/version-pruner.ts';
import { VmRequestChangesDocument } from './generated/graphql.ts';
import { subscribeSse, subscribeWs, wsClient } from './graphql-clients.ts';
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

describe('vmRequestChanges with a `since` older than the versions kept', () => {
  it('is refused with CURSOR_EXPIRED and a cursor from which a new subscription misses nothing', async () => {
    const client = wsClient(server.wsUrl, tenant.adminToken);
    const first = subscribeWs(client, VmRequestChangesDocument, { projectId: tenant.projectId });
    await expect.poll(() => server.services.live.subscriberCount(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await createRequest(server, tenant.aliceToken, tenant.projectId);
    const [change] = await first.waitFor(1);
    first.unsubscribe();
    await createRequest(server, tenant.aliceToken, tenant.projectId);
    await expect.poll(async () => (await server.database.sql`select 1 from vm_request_versions`).length, { timeout: 30_000 }).toBe(2);

    // Everything up to now is past the retention.
    const pruner = startVersionPruner({ sql: server.database.sql, retentionMs: 1, log: () => {} });
    await pruner.stop();
    const [pruned] = await server.database.sql<{ n: number }[]>`select count(*)::int as n from vm_request_versions`;
    expect(pruned!.n).toBe(0);

    // Over WebSocket and over SSE: the same error, with the cursor to resume from.
    const refusedWs = subscribeWs(client, VmRequestChangesDocument, { projectId: tenant.projectId, since: change!.vmRequestChanges.cursor });
    const refusedSse = subscribeSse(server.url, tenant.adminToken, VmRequestChangesDocument, { projectId: tenant.projectId, since: change!.vmRequestChanges.cursor });
    await refusedWs.ended();
    await refusedSse.ended();
    for (const refused of [refusedWs, refusedSse]) {
      expect(refused.values).toEqual([]);
      const error = JSON.stringify(refused.errors);
      expect(error).toContain('"code":"CURSOR_EXPIRED"');
      expect(error).toContain('no longer kept');
    }
    const resumeFrom = /"cursor":"([^"]+)"/.exec(JSON.stringify(refusedWs.errors))![1]!;

    // Resuming from it: the next change arrives, once.
    const resumed = subscribeWs(client, VmRequestChangesDocument, { projectId: tenant.projectId, since: resumeFrom });
    const next = await createRequest(server, tenant.bobToken, tenant.projectId);
    const values = await resumed.waitUntil((all) => all.some((v) => v.vmRequestChanges.vmRequest.id === next.id));
    expect(values.map((v) => v.vmRequestChanges.vmRequest.id)).toEqual([next.id]);
    expect(resumed.errors).toEqual([]);
    resumed.unsubscribe();
    await client.dispose();
  });
});
