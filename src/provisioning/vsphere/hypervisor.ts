import { HypervisorError } from '../hypervisor-error.ts';
import type { NetworkInfo, OperationContext, PowerState, VmHandle, VmObservation, VmSpec } from '../hypervisor.ts';
import { sleep } from '../sleep.ts';
import { isFault } from './faults.ts';
import { Inventory } from './inventory.ts';
import { propertiesOf } from './property-collector.ts';
import type { VsphereConnectionSettings, VsphereHypervisor, VsphereOptions } from './settings.ts';
import { SoapClient } from './soap-client.ts';
import { cloneBody, customizationSpec, ethernetCards, devicesOf, HARDWARE_PATHS, type NicTarget, reconfigureSpec } from './specs.ts';
import { runTask, type TaskWait } from './tasks.ts';
import { createTransport } from './transport.ts';
import { type MoRef, toMoRef } from './xml.ts';

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const DEFAULT_TASK_TIMEOUT_MS = 600_000;
const NETWORK_POLL_MS = 1_000;

/** The guest's name as reported, completed with the pool's DNS domain; null (keep the requested one) if unknown. */
function fqdn(reported: string, requested: string, domain: string | null): string | null {
  const name = reported === '' ? requested : reported;
  if (name.includes('.') || domain === null) return reported === '' ? null : reported;
  return `${name}.${domain}`;
}

const vmRef = (vm: VmHandle): MoRef => ({ type: 'VirtualMachine', value: vm.id });

const powerStateOf = (state: string | undefined): PowerState =>
  state === 'poweredOn' ? 'ON' : state === 'poweredOff' ? 'OFF' : 'UNKNOWN';

/**
 * The vSphere adapter: one tenant's vCenter through the vim25 SOAP API (see docs/vsphere.md). Every operation is
 * idempotent against what vCenter shows now, because a resumed attempt repeats the stage it was in: the VM is found by
 * its name in the configured folder, configure changes only what differs, power operations accept the state they
 * aim for, and deleting a VM that is gone succeeds.
 */
export const createVsphereHypervisor = (settings: VsphereConnectionSettings, options: VsphereOptions): VsphereHypervisor => {
  if (settings.tls.insecure && options.production) {
    throw new HypervisorError('HYPERVISOR_NOT_CONFIGURED', 'skipping TLS certificate checks (tls.insecure) is refused in production');
  }
  if (settings.ipPool !== null && options.ipAllocator === undefined) {
    throw new HypervisorError('HYPERVISOR_NOT_CONFIGURED', 'an IP pool is configured but no IP allocator was given');
  }
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const taskTimeoutMs = options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  const log = options.log ?? (() => undefined);
  const transport = createTransport(settings.url, settings.tls);
  const client = new SoapClient(transport, settings, callTimeoutMs);
  const inventory = new Inventory(client, settings);
  const wait = (context: OperationContext): TaskWait => ({ taskTimeoutMs, callTimeoutMs, signal: context.signal });

  const powerStateNow = async (vm: VmHandle, context: OperationContext): Promise<string | null> => {
    const props = await propertiesOf(client, vmRef(vm), ['runtime.powerState'], context);
    return props === null ? null : (props.get('runtime.powerState')?.text ?? '');
  };

  /** The VM behind a handle, or null when it is gone (or the id now belongs to another VM). */
  const existing = async (vm: VmHandle, paths: readonly string[], context: OperationContext) => {
    const props = await propertiesOf(client, vmRef(vm), ['name', ...paths], context);
    return props !== null && props.get('name')?.text === vm.name ? props : null;
  };

  const mustExist = async (vm: VmHandle, paths: readonly string[], context: OperationContext) => {
    const props = await existing(vm, paths, context);
    if (props === null) throw new HypervisorError('UNKNOWN', `VM ${vm.id} (${vm.name}) does not exist in vCenter`);
    return props;
  };

  const nicTarget = async (context: OperationContext): Promise<NicTarget> => {
    const ref = await inventory.network(context);
    if (ref.type !== 'DistributedVirtualPortgroup') return { kind: 'network', name: settings.network, ref };
    const portgroup = await propertiesOf(client, ref, ['config.key', 'config.distributedVirtualSwitch'], context);
    const dvs = portgroup?.get('config.distributedVirtualSwitch');
    const uuid = dvs ? (await propertiesOf(client, toMoRef(dvs), ['uuid'], context))?.get('uuid')?.text : undefined;
    const key = portgroup?.get('config.key')?.text;
    if (!uuid || !key) throw new HypervisorError('NETWORK_NOT_FOUND', `distributed port group "${settings.network}" has no switch`);
    return { kind: 'distributed', switchUuid: uuid, portgroupKey: key, ref };
  };

  const powerOff = async (vm: VmHandle, context: OperationContext): Promise<void> => {
    const state = await powerStateNow(vm, context);
    if (state === null) throw new HypervisorError('UNKNOWN', `VM ${vm.id} (${vm.name}) does not exist in vCenter`);
    if (state === 'poweredOff') return;
    try {
      await runTask(client, 'PowerOffVM_Task', vmRef(vm), [], `powering off ${vm.name}`, wait(context));
    } catch (error) {
      // Powered off meanwhile (by someone else, or by our own earlier attempt): what we wanted.
      if (!(isFault(error, 'InvalidPowerState') && (await powerStateNow(vm, context)) === 'poweredOff')) throw error;
    }
  };

  /** Powers the VM off when needed and destroys it; a VM that is gone already is fine. */
  const destroy = async (vm: VmHandle, context: OperationContext): Promise<void> => {
    const props = await existing(vm, ['runtime.powerState'], context);
    if (props === null) return;
    if (props.get('runtime.powerState')?.text !== 'poweredOff') await powerOff(vm, context);
    try {
      await runTask(client, 'Destroy_Task', vmRef(vm), [], `deleting ${vm.name}`, wait(context));
    } catch (error) {
      if (!isFault(error, 'ManagedObjectNotFound')) throw error;
    }
  };

  return {
    kind: 'vsphere',

    async findVmByName(spec: VmSpec, context: OperationContext) {
      const ref = await inventory.findVm(spec.name, context);
      return ref === null ? null : { id: ref.value, name: spec.name };
    },

    async cloneFromTemplate(spec: VmSpec, context: OperationContext) {
      const template = await inventory.template(inventory.templateName(spec.size), context);
      const folder = await inventory.folder(context);
      const pool = await inventory.pool(context);
      const datastore = await inventory.datastore(context);
      log(`vsphere: cloning ${spec.name} from ${template.value} (attempt ${context.attempt})`);
      try {
        const result = await runTask(client, 'CloneVM_Task', template, cloneBody(folder, spec.name, datastore, pool), `cloning ${spec.name}`, wait(context));
        if (result === null) throw new HypervisorError('UNKNOWN', `cloning ${spec.name} returned no VM`);
        return { id: toMoRef(result).value, name: spec.name };
      } catch (error) {
        // vCenter keeps names unique per folder: a clone an earlier attempt started is under way or done, and that
        // VM is this request's.
        if (!isFault(error, 'DuplicateName')) throw error;
        const ref = await inventory.findVm(spec.name, context);
        if (ref === null) throw error;
        return { id: ref.value, name: spec.name };
      }
    },

    async configure(vm: VmHandle, spec: VmSpec, context: OperationContext) {
      const props = await mustExist(vm, HARDWARE_PATHS, context);
      const change = reconfigureSpec(props, spec, await nicTarget(context));
      if (change !== null) {
        await runTask(client, 'ReconfigVM_Task', vmRef(vm), [change], `reconfiguring ${vm.name}`, wait(context));
      }
      // Customization applies at the next power-on: only a VM that is off and has none pending needs it.
      if (props.get('runtime.powerState')?.text !== 'poweredOff' || (props.get('config.tools.pendingCustomization')?.text ?? '') !== '') {
        return;
      }
      const pool = settings.ipPool;
      const fixed =
        pool === null || options.ipAllocator === undefined
          ? null
          : { ipAddress: await options.ipAllocator.allocate(spec.tenantId, spec.requestId, pool), pool };
      const nicCount = ethernetCards(devicesOf(props)).length;
      const customization = customizationSpec({ hostname: spec.hostname, nicCount, fixed });
      await runTask(client, 'CustomizeVM_Task', vmRef(vm), [customization], `customizing ${vm.name}`, wait(context));
      log(`vsphere: ${vm.name} (${vm.id}) customized as ${spec.hostname}${fixed ? ` with ${fixed.ipAddress}` : ' (DHCP)'}`);
    },

    async powerOn(vm: VmHandle, _spec: VmSpec, context: OperationContext) {
      const state = await powerStateNow(vm, context);
      if (state === null) throw new HypervisorError('UNKNOWN', `VM ${vm.id} (${vm.name}) does not exist in vCenter`);
      if (state === 'poweredOn') return;
      try {
        await runTask(client, 'PowerOnVM_Task', vmRef(vm), [], `powering on ${vm.name}`, wait(context));
      } catch (error) {
        if (!(isFault(error, 'InvalidPowerState') && (await powerStateNow(vm, context)) === 'poweredOn')) throw error;
      }
    },

    async waitForNetwork(vm: VmHandle, spec: VmSpec, context: OperationContext & { timeoutMs: number }): Promise<NetworkInfo> {
      const deadline = Date.now() + context.timeoutMs;
      const domain = settings.ipPool?.dnsDomain ?? null;
      for (;;) {
        const props = await mustExist(vm, ['guest.ipAddress', 'guest.hostName'], context);
        const ipAddress = props.get('guest.ipAddress')?.text ?? '';
        if (ipAddress !== '') {
          return { ipAddress, hostname: fqdn(props.get('guest.hostName')?.text ?? '', spec.hostname, domain) };
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return { ipAddress: null, hostname: null };
        await sleep(Math.min(NETWORK_POLL_MS, remaining), context.signal);
      }
    },

    async deleteVm(vm: VmHandle, spec: VmSpec, context: OperationContext) {
      await destroy(vm, context);
      // The address is the VM's until the VM is gone, and only then.
      if (settings.ipPool !== null) await options.ipAllocator?.release(spec.tenantId, spec.requestId);
    },

    async powerOff(vm: VmHandle, _spec: VmSpec, context: OperationContext) {
      await powerOff(vm, context);
    },

    async inspectVm(spec: VmSpec, context: OperationContext): Promise<VmObservation | null> {
      const ref = await inventory.findVm(spec.name, context);
      if (ref === null) return null;
      const props = await propertiesOf(client, ref, ['runtime.powerState'], context);
      if (props === null) return null;
      return { id: ref.value, name: spec.name, powerState: powerStateOf(props.get('runtime.powerState')?.text) };
    },

    async check(context: OperationContext) {
      await inventory.checkAll(context);
    },

    async close() {
      try {
        await client.logout({ timeoutMs: Math.min(callTimeoutMs, 5_000) });
      } finally {
        transport.close();
      }
    },
  };
};
