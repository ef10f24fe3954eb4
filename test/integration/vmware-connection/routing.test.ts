import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { success } from '../commands-fixtures.ts';
import { HypervisorError, type Hypervisor, type VmSpec } from '../../../src/provisioning/index.ts';
import { createSimulatedHypervisor } from '../../../src/provisioning/simulated-hypervisor.ts';
import { createIpAllocator } from '../../../src/provisioning/ip-allocations.ts';
import { createTenantHypervisors } from '../../../src/provisioning/tenant-hypervisors.ts';
import type { CreateVsphereHypervisor, VsphereConnectionSettings, VsphereHypervisor } from '../../../src/provisioning/vsphere/settings.ts';
import type { Sql } from '../../../src/db/client.ts';
import type { SecretBox } from '../../../src/secrets/index.ts';
import { person } from '../../support/personas.ts';
import { connectionInput, connectionTest as test, PASSWORD } from './fixtures.ts';

/**
 * Stands in for the vSphere adapter (its own tests run it against the simulator): records which settings each adapter
 * was made with, which operations reached it, and whether it was closed.
 */
function recordingAdapters() {
  const made: { settings: VsphereConnectionSettings; calls: string[]; closed: boolean }[] = [];
  const create: CreateVsphereHypervisor = (settings) => {
    const record = { settings, calls: [] as string[], closed: false };
    made.push(record);
    const call = (name: string) => async (...args: unknown[]) => {
      const spec = args.find((arg): arg is VmSpec => typeof arg === 'object' && arg !== null && 'requestId' in arg);
      record.calls.push(`${name} ${spec?.name ?? ''}`);
      return name === 'findVmByName' || name === 'inspectVm' ? null : { id: 'vm-42', name: spec?.name ?? '' };
    };
    const adapter: VsphereHypervisor = {
      kind: 'vsphere',
      findVmByName: call('findVmByName') as unknown as VsphereHypervisor['findVmByName'],
      cloneFromTemplate: call('cloneFromTemplate') as unknown as VsphereHypervisor['cloneFromTemplate'],
      configure: call('configure') as unknown as VsphereHypervisor['configure'],
      powerOn: call('powerOn') as unknown as VsphereHypervisor['powerOn'],
      waitForNetwork: call('waitForNetwork') as unknown as VsphereHypervisor['waitForNetwork'],
      deleteVm: call('deleteVm') as unknown as VsphereHypervisor['deleteVm'],
      powerOff: call('powerOff') as unknown as VsphereHypervisor['powerOff'],
      inspectVm: call('inspectVm') as unknown as VsphereHypervisor['inspectVm'],
      check: async () => {},
      close: async () => {
        record.closed = true;
      },
    };
    return adapter;
  };
  return { made, create };
}

const spec = (tenantId: string): VmSpec => {
  const requestId = randomUUID();
  return { requestId, tenantId, projectId: randomUUID(), name: `dvmm-${requestId}`, hostname: 'web-01', size: 'S', vcpus: 2, memoryGb: 4, diskGb: 50 };
};
const context = { attempt: 1 };
let tenants = 0;
const tenant = () => `route-${++tenants}-${Date.now().toString(36)}`;

const router = (sql: Sql, secrets: SecretBox, create: CreateVsphereHypervisor, simulated: Hypervisor | null) =>
  createTenantHypervisors({
    sql,
    secrets,
    loadVsphere: async () => create,
    simulated,
    ipAllocator: createIpAllocator(sql),
    vsphere: { production: true },
  });

describe('provisioning routed by tenant', () => {
  test('a tenant with a connection: its adapter, made once from the decrypted settings; a new version replaces and closes it', async ({ sql, secrets, commands }) => {
    const t = tenant();
    const admin = person(t, 'root', 'admin');
    success(await commands.setVmwareConnection(admin, connectionInput()));
    const adapters = recordingAdapters();
    const simulated = createSimulatedHypervisor({ stageMs: 0 });
    const hypervisors = router(sql, secrets, adapters.create, simulated);

    const vm = spec(t);
    expect(await hypervisors.findVmByName(vm, context)).toBeNull();
    expect(await hypervisors.cloneFromTemplate(vm, context)).toEqual({ id: 'vm-42', name: vm.name });
    expect(adapters.made).toHaveLength(1);
    expect(adapters.made[0]!.settings).toMatchObject({ password: PASSWORD, datastore: 'LocalDS_0', url: 'https://vcenter.example.com/sdk' });
    expect(adapters.made[0]!.calls).toEqual([`findVmByName ${vm.name}`, `cloneFromTemplate ${vm.name}`]);
    expect(simulated.snapshot().vms).toEqual([]);

    success(await commands.setVmwareConnection(admin, connectionInput({ expectedVersion: 1, password: null, datastore: 'LocalDS_1' })));
    await hypervisors.powerOn({ id: 'vm-42', name: vm.name }, vm, context);
    expect(adapters.made).toHaveLength(2);
    expect(adapters.made[1]!.settings).toMatchObject({ password: PASSWORD, datastore: 'LocalDS_1' });
    await expect.poll(() => adapters.made[0]!.closed).toBe(true);
    expect(adapters.made[1]!.calls).toEqual([`powerOn ${vm.name}`]);

    // Removed: the simulator (allowed here), and the last adapter closed.
    success(await commands.removeVmwareConnection(admin, { expectedVersion: 2 }));
    await hypervisors.cloneFromTemplate(vm, context);
    await expect.poll(() => adapters.made[1]!.closed).toBe(true);
    expect(adapters.made).toHaveLength(2);
    await hypervisors.close();
  });

  test('a tenant without one: the simulator where allowed, else HYPERVISOR_NOT_CONFIGURED on every operation', async ({ sql, secrets }) => {
    const t = tenant();
    const adapters = recordingAdapters();
    const simulated = createSimulatedHypervisor({ stageMs: 0 });
    const vm = spec(t);
    const handle = await router(sql, secrets, adapters.create, simulated).cloneFromTemplate(vm, context);
    expect(handle.name).toBe(vm.name);
    expect(simulated.snapshot().vms.map((v) => v.name)).toEqual([vm.name]);

    const strict = router(sql, secrets, adapters.create, null);
    const refused = await strict.cloneFromTemplate(spec(t), context).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HypervisorError);
    expect(refused).toMatchObject({ code: 'HYPERVISOR_NOT_CONFIGURED', retryable: false });
    expect((refused as Error).message).toMatch(/no vCenter connection.*setVmwareConnection/);
    await expect(strict.inspectVm(spec(t), context)).rejects.toMatchObject({ code: 'HYPERVISOR_NOT_CONFIGURED' });
    expect(adapters.made).toEqual([]);
  });

  test('a stored password that does not open: a clear error of this server (retried as an outage), not a failed request', async ({ sql, secrets, commands }) => {
    const t = tenant();
    success(await commands.setVmwareConnection(person(t, 'root', 'admin'), connectionInput()));
    // Another tenant's ciphertext copied over this one's: bound to its tenant, it does not open here.
    const other = tenant();
    success(await commands.setVmwareConnection(person(other, 'root', 'admin'), connectionInput({ password: 'other' })));
    await sql`update vmware_connections set password_secret = (select password_secret from vmware_connections where tenant_id = ${other})
              where tenant_id = ${t}`;
    const adapters = recordingAdapters();
    const error = await router(sql, secrets, adapters.create, null).findVmByName(spec(t), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HypervisorError);
    expect((error as Error).message).toMatch(new RegExp(`vCenter password of tenant ${t} cannot be read: .*does not open with key k1`));
    expect(adapters.made).toEqual([]);
  });
});
