import type postgres from 'postgres';
import { readVmwareConnection } from '../commands/vmware-connection-store.ts';
import { passwordContext, type SecretBox, SecretUnreadableError } from '../secrets/index.ts';
import type { Hypervisor, OperationContext, VmSpec } from './hypervisor.ts';
import { HypervisorError } from './hypervisor-error.ts';
import { toVsphereSettings } from './tenant-connection.ts';
import type { CreateVsphereHypervisor, IpAllocator, VsphereHypervisor, VsphereOptions } from './vsphere/settings.ts';

export interface TenantHypervisorsDeps {
  sql: postgres.Sql;
  secrets: SecretBox;
  /** Loads the vSphere adapter's factory (src/provisioning/vsphere/index.ts) when a tenant first needs it. */
  loadVsphere: () => Promise<CreateVsphereHypervisor>;
  /** Where a tenant without a connection provisions; null: nowhere (HYPERVISOR_NOT_CONFIGURED). */
  simulated: Hypervisor | null;
  ipAllocator: IpAllocator;
  vsphere: Omit<VsphereOptions, 'ipAllocator'>;
  log?: (line: string) => void;
}

/** The routing hypervisor, and what a shutdown needs. */
export interface TenantHypervisors extends Hypervisor {
  /** Closes every cached adapter (logs out of each vCenter). */
  close(): Promise<void>;
  /** Tenants with an adapter open now (for tests and status). */
  openTenants(): string[];
}

/**
 * One Hypervisor for the provisioning process that sends each operation to the VM's tenant's own vCenter
 * (spec.tenantId): the adapter is made from the tenant's connection (vmware_connections, password decrypted) and
 * kept while the connection stays at that version; a newer version replaces it and closes the old one. A tenant
 * without a connection goes to the simulated hypervisor where that is allowed (development), else each operation
 * fails with HYPERVISOR_NOT_CONFIGURED.
 *
 * The connection row is read on every operation (one indexed row), so a change made in any instance is used by the
 * next operation of every instance. A password that does not open is an error of this server's configuration
 * (DVMM_SECRETS_KEYS), thrown as a plain error: the process retries it as an outage instead of failing the request.
 */
export function createTenantHypervisors(deps: TenantHypervisorsDeps): TenantHypervisors {
  const log = deps.log ?? (() => {});
  const cache = new Map<string, { version: number; adapter: Promise<VsphereHypervisor> }>();
  let factory: Promise<CreateVsphereHypervisor> | undefined;
  const loadFactory = (): Promise<CreateVsphereHypervisor> => {
    factory ??= deps.loadVsphere();
    // A failed load is tried again by the next operation.
    factory.catch(() => (factory = undefined));
    return factory;
  };

  const closeQuietly = (tenantId: string, adapter: Promise<VsphereHypervisor>) =>
    adapter
      .then((open) => open.close())
      .catch((error: unknown) => log(`[provisioning] closing the vCenter session of tenant ${tenantId} failed: ${(error as Error).message}`));

  const resolve = async (tenantId: string): Promise<Hypervisor> => {
    const stored = await readVmwareConnection(deps.sql, tenantId);
    const cached = cache.get(tenantId);
    if (!stored) {
      if (cached) {
        cache.delete(tenantId);
        void closeQuietly(tenantId, cached.adapter);
      }
      if (deps.simulated) return deps.simulated;
      throw new HypervisorError(
        'HYPERVISOR_NOT_CONFIGURED',
        `Tenant ${tenantId} has no vCenter connection and this server does not simulate one (PROVISIONING_SIMULATE_UNCONFIGURED=false): a tenant admin sets one with setVmwareConnection`,
      );
    }
    if (cached?.version === stored.version) return cached.adapter;
    let password: string;
    try {
      password = deps.secrets.decrypt(stored.passwordSecret, passwordContext(tenantId));
    } catch (error) {
      if (error instanceof SecretUnreadableError) throw new Error(`The vCenter password of tenant ${tenantId} cannot be read: ${error.message}`);
      throw error;
    }
    const adapter = loadFactory().then((create) =>
      create(toVsphereSettings(stored, password), { ...deps.vsphere, ipAllocator: deps.ipAllocator }),
    );
    // A failed creation is not kept: the next operation tries again.
    adapter.catch(() => {
      if (cache.get(tenantId)?.adapter === adapter) cache.delete(tenantId);
    });
    cache.set(tenantId, { version: stored.version, adapter });
    if (cached) {
      log(`[provisioning] tenant ${tenantId}: vCenter connection changed (version ${cached.version} → ${stored.version}), reconnecting`);
      void closeQuietly(tenantId, cached.adapter);
    }
    return adapter;
  };

  const on = <A extends unknown[], R>(spec: (...args: A) => VmSpec, call: (target: Hypervisor, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => call(await resolve(spec(...args).tenantId), ...args);

  return {
    kind: 'tenant',
    findVmByName: on((spec: VmSpec, _c: OperationContext) => spec, (h, spec, c) => h.findVmByName(spec, c)),
    cloneFromTemplate: on((spec: VmSpec, _c: OperationContext) => spec, (h, spec, c) => h.cloneFromTemplate(spec, c)),
    configure: on((_vm, spec: VmSpec, _c: OperationContext) => spec, (h, vm, spec, c) => h.configure(vm, spec, c)),
    powerOn: on((_vm, spec: VmSpec, _c: OperationContext) => spec, (h, vm, spec, c) => h.powerOn(vm, spec, c)),
    waitForNetwork: on(
      (_vm, spec: VmSpec, _c: OperationContext & { timeoutMs: number }) => spec,
      (h, vm, spec, c) => h.waitForNetwork(vm, spec, c),
    ),
    deleteVm: on((_vm, spec: VmSpec, _c: OperationContext) => spec, (h, vm, spec, c) => h.deleteVm(vm, spec, c)),
    powerOff: on((_vm, spec: VmSpec, _c: OperationContext) => spec, (h, vm, spec, c) => h.powerOff(vm, spec, c)),
    inspectVm: on((spec: VmSpec, _c: OperationContext) => spec, (h, spec, c) => h.inspectVm(spec, c)),
    async close() {
      const open = [...cache.entries()];
      cache.clear();
      await Promise.all(open.map(([tenantId, { adapter }]) => closeQuietly(tenantId, adapter)));
    },
    openTenants: () => [...cache.keys()],
  };
}
