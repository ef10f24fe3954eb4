import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ApproveVmRequestDocument,
  RemoveVmwareConnectionDocument,
  SetVmwareConnectionDocument,
  type SetVmwareConnectionInput,
  TestVmwareConnectionDocument,
  type VmwareConnectionInput,
  VmwareConnectionDocument,
  VmRequestDocument,
} from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../support/vcsim.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

vi.setConfig({ testTimeout: 120_000 });

const PASSWORD = 'e2e-Secret-9c1d';

const connection = (overrides: Partial<VmwareConnectionInput> = {}): VmwareConnectionInput => ({
  url: 'https://vcenter.example.com/sdk',
  username: 'svc-dvmm',
  password: PASSWORD,
  datacenter: 'DC0',
  cluster: 'DC0_C0',
  datastore: 'LocalDS_0',
  network: 'VM Network',
  defaultTemplate: 'ubuntu-22.04',
  templates: [{ size: 'L', template: 'ubuntu-l' }],
  ipPool: { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dnsServers: ['10.20.0.2'] },
  ...overrides,
});

const set = async (server: TestServer, token: string, input: SetVmwareConnectionInput) =>
  dataOf(await http(server.url, token, SetVmwareConnectionDocument, { input })).setVmwareConnection;
const read = async (server: TestServer, token: string) => http(server.url, token, VmwareConnectionDocument, {});
const test_ = async (server: TestServer, token: string, given?: VmwareConnectionInput) =>
  dataOf(await http(server.url, token, TestVmwareConnectionDocument, { input: given ? { connection: given } : {} })).testVmwareConnection;

describe('the tenant\'s vCenter connection over GraphQL', () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    server = await startTestServer({ vmware: { simulateUnconfigured: false } });
    [a, b] = [await setupTenant(server), await setupTenant(server)];
  });
  afterAll(() => server?.close());

  const written = async () => {
    const [row] = await server.database.sql<{ events: number; rows: number }[]>`
      select (select count(*)::int from events where stream_type = 'VmwareConnection') as events,
             (select count(*)::int from vmware_connections) as rows`;
    return row!;
  };

  it('members get FORBIDDEN for every part of it, and nothing is written', async () => {
    const before = await written();
    const query = await read(server, a.aliceToken);
    expect(query.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await set(server, a.aliceToken, { expectedVersion: 0, connection: connection() })).__typename).toBe('ForbiddenError');
    expect((await test_(server, a.aliceToken, connection())).__typename).toBe('ForbiddenError');
    const removed = dataOf(await http(server.url, a.aliceToken, RemoveVmwareConnectionDocument, { input: { expectedVersion: 1 } }));
    expect(removed.removeVmwareConnection.__typename).toBe('ForbiddenError');
    expect(await written()).toEqual(before);
  });

  it('bad settings: one ValidationError naming every invalid field, nothing written', async () => {
    const before = await written();
    const refused = await set(server, a.adminToken, {
      expectedVersion: 0,
      connection: connection({
        url: 'http://vcenter.example.com/sdk',
        password: null,
        cluster: null,
        ipPool: { cidr: '10.20.0.0/24', gateway: '192.168.1.1' },
        tls: { caPem: 'not a certificate' },
      }),
    });
    if (refused.__typename !== 'ValidationError') throw new Error(JSON.stringify(refused));
    expect(refused.fields.map((f) => f.field)).toEqual(['password', 'url', 'cluster', 'ipPool.gateway', 'tls.caPem']);
    expect(await written()).toEqual(before);
    expect(dataOf(await read(server, a.adminToken)).vmwareConnection).toBeNull();
  });

  it('an admin sets it, sees every setting but the password, changes it at its version, removes it', async () => {
    const saved = await set(server, a.adminToken, { expectedVersion: 0, connection: connection() });
    if (saved.__typename !== 'SetVmwareConnectionPayload') throw new Error(JSON.stringify(saved));
    expect(saved.connection).toMatchObject({
      url: 'https://vcenter.example.com/sdk',
      passwordSet: true,
      folder: '',
      templates: [{ size: 'L', template: 'ubuntu-l' }],
      ipPool: { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dnsServers: ['10.20.0.2'], dnsDomain: null },
      tls: { caPem: null, insecure: false },
      version: 1,
      updatedBy: 'admin',
    });
    const queried = dataOf(await read(server, a.adminToken)).vmwareConnection;
    expect(queried).toEqual(saved.connection);
    expect(JSON.stringify(queried)).not.toContain(PASSWORD);
    // The other tenant sees none.
    expect(dataOf(await read(server, b.adminToken)).vmwareConnection).toBeNull();

    const stale = await set(server, a.otherAdminToken, { expectedVersion: 0, connection: connection({ datastore: 'LocalDS_1' }) });
    expect(stale).toMatchObject({ __typename: 'ConcurrencyError', expectedVersion: 0, actualVersion: 1 });
    const changed = await set(server, a.otherAdminToken, { expectedVersion: 1, connection: connection({ password: null, datastore: 'LocalDS_1' }) });
    expect(changed).toMatchObject({ connection: { version: 2, datastore: 'LocalDS_1', passwordSet: true, updatedBy: 'admin2' } });

    const [event] = await server.database.sql<{ data: Record<string, unknown> }[]>`
      select data from events where stream_type = 'VmwareConnection' and tenant_id = ${a.tenant} order by stream_version desc limit 1`;
    expect(event!.data).toEqual({ changedBy: 'admin2', changedFields: ['datastore'], passwordChanged: false });
    const [leak] = await server.database.sql<{ n: number }[]>`select count(*)::int as n from events where data::text like ${`%${PASSWORD}%`}`;
    expect(leak!.n).toBe(0);

    const removed = dataOf(await http(server.url, a.adminToken, RemoveVmwareConnectionDocument, { input: { expectedVersion: 2 } }));
    expect(removed.removeVmwareConnection).toEqual({ __typename: 'RemoveVmwareConnectionPayload', removedBy: 'admin' });
    expect(dataOf(await read(server, a.adminToken)).vmwareConnection).toBeNull();
  });

  it('testVmwareConnection needs something to test, and a password', async () => {
    expect((await test_(server, b.adminToken)).__typename).toBe('NotFoundError');
    const noPassword = await test_(server, b.adminToken, connection({ password: null }));
    expect(noPassword).toMatchObject({ __typename: 'ValidationError', field: 'password' });
  });

  it('without a connection, where the server simulates none, approval says why it cannot be provisioned', async () => {
    const request = await createRequest(server, b.aliceToken, b.projectId);
    const refused = dataOf(
      await http(server.url, b.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } }),
    ).approveVmRequest;
    expect(refused).toMatchObject({ __typename: 'ProvisioningNotConfiguredError', code: 'PROVISIONING_NOT_CONFIGURED' });
    expect(refused.__typename === 'ProvisioningNotConfiguredError' && refused.message).toMatch(/no vCenter connection/);
    const [approvals] = await server.database.sql<{ n: number }[]>`
      select count(*)::int as n from events where tenant_id = ${b.tenant} and event_type = 'VmRequestApproved'`;
    expect(approvals!.n).toBe(0);
    // The read model (once it has the request) shows it still waiting.
    await expect
      .poll(async () => dataOf(await http(server.url, b.adminToken, VmRequestDocument, { id: request.id })).vmRequest?.status)
      .toBe('PENDING');
  });
});

// Against govmomi's vCenter simulator: the whole path from a tenant admin's settings to a READY VM.
const binary = vcsimForTests();

describe.skipIf(binary === null)('a tenant provisioning on the vCenter simulator, configured through GraphQL', () => {
  let vcsim: Vcsim;
  let server: TestServer;
  let t: Tenant;
  beforeAll(async () => {
    vcsim = await startVcsim();
    server = await startTestServer({
      pollIntervalMs: 50,
      provisioning: { stageMs: 0, options: { networkTimeoutMs: 20_000 } },
      vmware: { simulateUnconfigured: false, routeTenants: true, production: true },
    });
    t = await setupTenant(server);
  });
  afterAll(async () => {
    await server?.close();
    await vcsim?.close();
  });

  const simulator = (overrides: Partial<VmwareConnectionInput> = {}): VmwareConnectionInput => ({
    url: vcsim.sdkUrl,
    username: vcsim.username,
    password: vcsim.password,
    datacenter: vcsim.inventory.datacenter,
    cluster: vcsim.inventory.cluster,
    datastore: vcsim.inventory.datastore,
    folder: vcsim.inventory.folder,
    network: vcsim.inventory.network,
    defaultTemplate: vcsim.inventory.templates[0]!.split('/').at(-1)!,
    ipPool: { cidr: '10.30.0.0/24', gateway: '10.30.0.1', dnsServers: ['10.30.0.53'], dnsDomain: 'e2e.test' },
    tls: { caPem: vcsim.caPem },
    ...overrides,
  });

  it('set, tested (ok; a wrong password; a missing template), then a request approved goes READY with the simulator\'s moref', async () => {
    const saved = await set(server, t.adminToken, { expectedVersion: 0, connection: simulator() });
    expect(saved.__typename).toBe('SetVmwareConnectionPayload');

    expect(await test_(server, t.adminToken)).toMatchObject({ __typename: 'TestVmwareConnectionPayload', ok: true, failureCode: null });
    expect(await test_(server, t.adminToken, simulator({ password: 'wrong' }))).toMatchObject({
      ok: false,
      failureCode: 'AUTHENTICATION_FAILED',
    });
    // Unsaved settings without a password are tested with the saved one.
    const missing = await test_(server, t.adminToken, simulator({ password: null, defaultTemplate: 'no-such-template' }));
    expect(missing).toMatchObject({ ok: false, failureCode: 'TEMPLATE_NOT_FOUND' });
    expect(missing.__typename === 'TestVmwareConnectionPayload' && missing.failureMessage).toMatch(/no-such-template/);

    const request = await createRequest(server, t.aliceToken, t.projectId, { size: 'S', vmName: 'shop-01' });
    const approved = dataOf(
      await http(server.url, t.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } }),
    ).approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');
    await expect
      .poll(async () => dataOf(await http(server.url, t.aliceToken, VmRequestDocument, { id: request.id })).vmRequest?.status, {
        timeout: 90_000,
        interval: 200,
      })
      .toBe('READY');
    const ready = dataOf(await http(server.url, t.aliceToken, VmRequestDocument, { id: request.id })).vmRequest!;
    expect(ready.vmwareVmId).toMatch(/^vm-\d+$/);
    expect(ready.hostname).toBe('shop-01.e2e.test');
    expect(ready.ipAddress).toBe('10.30.0.2');
    // The simulated hypervisor was never used.
    expect(server.provisioning!.hypervisor.snapshot().vms).toEqual([]);
  });
});
