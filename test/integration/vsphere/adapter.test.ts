import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HypervisorError } from '../../../src/provisioning/hypervisor-error.ts';
import { createIpAllocator } from '../../../src/provisioning/ip-allocations.ts';
import { createVsphereHypervisor, type VsphereConnectionSettings, type VsphereHypervisor } from '../../../src/provisioning/vsphere/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../../support/vcsim.ts';
import { allocatedAddress, observe, POOL, settingsFor, specFor, templateName } from './support.ts';

// The adapter's operations one by one against govmomi's vCenter simulator, checked through the simulator's own
// property collector; each operation repeated, as a resumed attempt repeats it.
const binary = vcsimForTests();
const ctx = { attempt: 1 };

describe.skipIf(binary === null)('vSphere adapter against the vCenter simulator', () => {
  let vcsim: Vcsim;
  let seen: ReturnType<typeof observe>;
  let t: TestDatabase;
  const adapters: VsphereHypervisor[] = [];
  const adapter = (overrides: Partial<VsphereConnectionSettings> = {}, production = true) => {
    const made = createVsphereHypervisor(settingsFor(vcsim, overrides), { production, ipAllocator: createIpAllocator(t.sql) });
    adapters.push(made);
    return made;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    vcsim = await startVcsim();
    seen = observe(vcsim);
  });
  afterAll(async () => {
    for (const made of adapters) await made.close();
    await seen?.close();
    await vcsim?.close();
    await t?.close();
  });

  it('check() logs in and resolves every configured object', async () => {
    await expect(adapter().check(ctx)).resolves.toBeUndefined();
  });

  it.each([
    ['template', { defaultTemplate: 'no-such-image' }, 'TEMPLATE_NOT_FOUND', 'no-such-image'],
    ['datastore', { datastore: 'NoSuchDS' }, 'DATASTORE_NOT_FOUND', 'NoSuchDS'],
    ['network', { network: 'No Such Network' }, 'NETWORK_NOT_FOUND', 'No Such Network'],
    ['folder', { folder: 'no/such/folder' }, 'FOLDER_NOT_FOUND', 'no/such/folder'],
    ['cluster', { cluster: 'NoSuchCluster' }, 'CLUSTER_NOT_FOUND', 'NoSuchCluster'],
    ['resource pool', { resourcePool: 'NoSuchPool' }, 'RESOURCE_POOL_NOT_FOUND', 'NoSuchPool'],
    ['password', { password: 'wrong' }, 'AUTHENTICATION_FAILED', 'InvalidLogin'],
  ] as const)('check() with a wrong %s throws %s naming it', async (_what, overrides, code, named) => {
    const error = await adapter(overrides).check(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HypervisorError);
    expect(error).toMatchObject({ code, retryable: false });
    expect((error as Error).message).toContain(named);
  });

  it('verifies the certificate: another CA is a connection failure, and skipping checks is refused in production', async () => {
    const otherCa = (await startVcsim({ templates: [] }).then(async (other) => {
      await other.close();
      return other.caPem;
    })) as string;
    const error = await adapter({ tls: { caPem: otherCa, insecure: false } }).check(ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    expect(() => adapter({ tls: { caPem: null, insecure: true } }, true)).toThrow(/insecure/);
    await expect(adapter({ tls: { caPem: null, insecure: true } }, false).check(ctx)).resolves.toBeUndefined();
  });

  describe('one VM through its life', () => {
    const spec = specFor(randomUUID(), 'M', 'web-01');
    let hv: VsphereHypervisor;
    let id: string;
    beforeAll(() => {
      hv = adapter();
    });

    it('clone: the VM appears in the folder with the template disks, found by name afterwards', async () => {
      expect(await hv.findVmByName(spec, ctx)).toBeNull();
      expect(await hv.inspectVm(spec, ctx)).toBeNull();
      const handle = await hv.cloneFromTemplate(spec, ctx);
      id = handle.id;
      expect(handle).toEqual({ id: expect.stringMatching(/^vm-/), name: spec.name });

      const vm = await seen.vm(spec.name);
      const template = await seen.vm(templateName(vcsim.inventory.templates[0] ?? ''));
      expect(vm).toMatchObject({ id, folder: vcsim.inventory.folder, powerState: 'poweredOff' });
      expect(vm?.disksKb).toEqual(template?.disksKb);
      expect(vm?.disksKb.length).toBeGreaterThan(0);
      expect(await hv.findVmByName(spec, ctx)).toEqual(handle);
    });

    it("configure: the size's vCPUs, memory and disk, on the configured network; repeating it changes nothing", async () => {
      await hv.configure({ id, name: spec.name }, spec, ctx);
      const configured = await seen.vm(spec.name);
      expect(configured).toMatchObject({ numCpu: 4, memoryMb: 8 * 1024, network: vcsim.inventory.network });
      expect(configured?.disksKb[0]).toBe(100 * 1024 * 1024);
      await hv.configure({ id, name: spec.name }, spec, ctx);
      expect(await seen.vm(spec.name)).toEqual(configured);
    });

    it('power on, twice; the guest reports its pool address and hostname', async () => {
      await hv.powerOn({ id, name: spec.name }, spec, ctx);
      await hv.powerOn({ id, name: spec.name }, spec, ctx);
      expect((await seen.vm(spec.name))?.powerState).toBe('poweredOn');
      expect(await hv.inspectVm(spec, ctx)).toEqual({ id, name: spec.name, powerState: 'ON' });

      const network = await hv.waitForNetwork({ id, name: spec.name }, spec, { ...ctx, timeoutMs: 30_000 });
      // The pool's lowest free host address: .1 is the gateway.
      const address = await allocatedAddress(t.sql, spec.tenantId, spec.requestId);
      expect(address).toBe('10.20.0.2');
      expect(network).toEqual({ ipAddress: address, hostname: `web-01.${POOL.dnsDomain}` });
      expect(await seen.vm(spec.name)).toMatchObject({ ipAddress: address, hostName: 'web-01' });
      // Configure again on the running VM (a resumed attempt): nothing changes, no customization is attempted.
      await hv.configure({ id, name: spec.name }, spec, ctx);
    });

    it('power off, twice', async () => {
      await hv.powerOff({ id, name: spec.name }, spec, ctx);
      await hv.powerOff({ id, name: spec.name }, spec, ctx);
      expect((await seen.vm(spec.name))?.powerState).toBe('poweredOff');
      expect(await hv.inspectVm(spec, ctx)).toEqual({ id, name: spec.name, powerState: 'OFF' });
    });

    it('delete, twice: the VM is gone and its address released', async () => {
      await hv.powerOn({ id, name: spec.name }, spec, ctx);
      await hv.deleteVm({ id, name: spec.name }, spec, ctx);
      expect(await seen.vmsNamed(spec.name)).toEqual([]);
      expect(await allocatedAddress(t.sql, spec.tenantId, spec.requestId)).toBeNull();
      await hv.deleteVm({ id, name: spec.name }, spec, ctx);
      expect(await hv.findVmByName(spec, ctx)).toBeNull();
      expect(await hv.inspectVm(spec, ctx)).toBeNull();
    });
  });

  it('a size with its own template is cloned from it; DHCP without a pool: no address before the timeout', async () => {
    const rhel = templateName(vcsim.inventory.templates[1] ?? '');
    const hv = adapter({ templates: { S: rhel }, defaultTemplate: null, ipPool: null });
    const spec = specFor(randomUUID(), 'S', 'db-01');
    const vm = await hv.cloneFromTemplate(spec, ctx);
    await hv.configure(vm, spec, ctx);
    await hv.powerOn(vm, spec, ctx);
    expect(await seen.vm(spec.name)).toMatchObject({ numCpu: 2, memoryMb: 4096, powerState: 'poweredOn' });
    expect(await hv.waitForNetwork(vm, spec, { ...ctx, timeoutMs: 300 })).toEqual({ ipAddress: null, hostname: null });
    // No template for M and no default: refused before anything is cloned.
    const other = specFor(randomUUID(), 'M');
    await expect(hv.cloneFromTemplate(other, ctx)).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    expect(await seen.vmsNamed(other.name)).toEqual([]);
    await hv.deleteVm(vm, spec, ctx);
  });

  it('a resource pool by inventory path, and a distributed port group for the card', async () => {
    const { resourcePool, distributedPortgroup } = vcsim.inventory;
    const hv = adapter({ resourcePool, network: distributedPortgroup, ipPool: null });
    await hv.check(ctx);
    const spec = specFor(randomUUID(), 'S');
    const vm = await hv.cloneFromTemplate(spec, ctx);
    await hv.configure(vm, spec, ctx);
    // A distributed backing names the switch and the port group key, not the port group's name.
    const card = (await seen.vm(spec.name))?.card;
    expect(card?.backingType).toBe('VirtualEthernetCardDistributedVirtualPortBackingInfo');
    expect(card?.portgroupKey).toMatch(/^dvportgroup-/);
    await hv.configure(vm, spec, ctx);
    await hv.deleteVm(vm, spec, ctx);
  });

  it('a stopped job aborts its wait at once, as an abort rather than a hypervisor failure', async () => {
    const hv = adapter({ ipPool: null });
    const spec = specFor(randomUUID(), 'S');
    const vm = await hv.cloneFromTemplate(spec, ctx);
    const controller = new AbortController();
    const waiting = hv.waitForNetwork(vm, spec, { ...ctx, signal: controller.signal, timeoutMs: 60_000 });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortedError' });
    await hv.deleteVm(vm, spec, ctx);
  });
});
