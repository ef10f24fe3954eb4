import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSealer } from '../../src/audit/sealer.ts';
import { verifyCommand } from '../../src/audit/verify-command.ts';
import { parseConfig } from '../../src/config/index.ts';
import { asAttacker, newSealKey } from '../integration/audit/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ApproveVmRequestDocument } from './generated/graphql.ts';
import { dataOf, http, httpRaw } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';

let server: TestServer;
let tenant: Tenant;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await setupTenant(server);
});
afterAll(async () => {
  await server?.close();
});

const AUDIT = `query Audit($id: ID!) { vmRequest(id: $id) { version auditTrail { verified sealedUpTo events { position streamVersion } } } }`;

interface Audit {
  vmRequest: { version: number; auditTrail: { verified: boolean; sealedUpTo: string | null; events: { position: string; streamVersion: number }[] } };
}

describe('vmRequest.auditTrail', () => {
  it("turns unverified when the request's last event is deleted after a seal, while its read model still shows it", async () => {
    const request = await createRequest(server, tenant.aliceToken, tenant.projectId);
    const approved = dataOf(
      await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } }),
    ).approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');
    const { key, base64 } = newSealKey();
    const sealer = await startSealer({ sql: server.database.sql, key, chainIntervalMs: 3_600_000, log: () => {} });
    const seal = await sealer.sealNow();
    await sealer.stop();

    const before = dataOf(await httpRaw<Audit>(server.url, tenant.aliceToken, { query: AUDIT, variables: { id: request.id } })).vmRequest;
    expect(before.version).toBe(2);
    expect(before.auditTrail.verified).toBe(true);
    expect(before.auditTrail.sealedUpTo).toBe(seal!.position.toString());
    const last = before.auditTrail.events.find((event) => event.streamVersion === 2)!;

    await asAttacker(server.database.sql, [`delete from events where position = ${last.position}`]);
    const after = dataOf(await httpRaw<Audit>(server.url, tenant.aliceToken, { query: AUDIT, variables: { id: request.id } })).vmRequest;
    expect(after.version).toBe(2); // the read model still shows the deleted version
    expect(after.auditTrail.events.map((event) => event.streamVersion)).toEqual([1]);
    expect(after.auditTrail.verified).toBe(false);

    // cli verify, with the id the API shows: the missing event, the seal it contradicts, the read model ahead.
    const lines: string[] = [];
    const code = await verifyCommand(server.database.sql, [request.id], (line) => lines.push(line), parseConfig({ DVMM_SEAL_KEY: base64 }));
    expect(code).toBe(2);
    const [, uuid] = /^stream ([0-9a-f-]{36}) \(VmRequest /.exec(lines[0]!) ?? [];
    expect(lines[0]).toContain(`BROKEN at position ${last.position} (stream ${uuid}, version 2)`);
    expect(lines.join('\n')).toContain(`read model vm_requests shows stream ${uuid} at version 2, but the stream ends at version 1`);
    const whole: string[] = [];
    expect(await verifyCommand(server.database.sql, [], (line) => whole.push(line), parseConfig({ DVMM_SEAL_KEY: base64 }))).toBe(2);
    expect(whole[0]).toContain(`BROKEN at position ${last.position}`);
    expect(whole[0]).toContain(`contradicts seal #${seal!.sealNo}`);
  });
});
