import type { Sql } from '../../../src/db/client.ts';
import type { VmSize } from '../../../src/domain/index.ts';
import type { VmSpec } from '../../../src/provisioning/hypervisor.ts';
import { hypervisorVmName } from '../../../src/provisioning/index.ts';
import { listInContainer, propertiesOf } from '../../../src/provisioning/vsphere/property-collector.ts';
import type { VsphereConnectionSettings, VsphereIpPool } from '../../../src/provisioning/vsphere/settings.ts';
import { SoapClient } from '../../../src/provisioning/vsphere/soap-client.ts';
import { createTransport } from '../../../src/provisioning/vsphere/transport.ts';
import { textOf, toMoRef, type XmlNode } from '../../../src/provisioning/vsphere/xml.ts';
import type { Vcsim } from '../../support/vcsim.ts';

/** The connection a tenant admin would enter for the simulator: every object by name, TLS checked against its CA. */
export function settingsFor(vcsim: Vcsim, overrides: Partial<VsphereConnectionSettings> = {}): VsphereConnectionSettings {
  const inv = vcsim.inventory;
  return {
    url: vcsim.sdkUrl,
    username: vcsim.username,
    password: vcsim.password,
    datacenter: inv.datacenter,
    cluster: inv.cluster,
    resourcePool: null,
    datastore: inv.datastore,
    folder: inv.folder,
    network: inv.network,
    templates: {},
    defaultTemplate: templateName(inv.templates[0] ?? ''),
    ipPool: POOL,
    tls: { caPem: vcsim.caPem, insecure: false },
    ...overrides,
  };
}

/** "/DC0/vm/ubuntu-22.04" -> "ubuntu-22.04" */
export const templateName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export const POOL: VsphereIpPool = { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dnsServers: ['10.20.0.53'], dnsDomain: 'dvmm.test' };

/** A request's VmSpec, as vmSpecFor makes it. */
export function specFor(requestId: string, size: VmSize = 'M', hostname = 'web-01'): VmSpec {
  const sizes = { S: [2, 4, 50], M: [4, 8, 100], L: [8, 16, 200], XL: [16, 32, 500] } as const;
  const [vcpus, memoryGb, diskGb] = sizes[size];
  return { requestId, tenantId: 'tenant-1', projectId: 'project-1', name: hypervisorVmName(requestId), hostname, size, vcpus, memoryGb, diskGb };
}

/** The address ip_allocations holds for a request; null when it holds none. */
export async function allocatedAddress(sql: Sql, tenantId: string, requestId: string): Promise<string | null> {
  const [row] = await sql<{ address: string }[]>`
    select address from ip_allocations where tenant_id = ${tenantId} and request_id = ${requestId}`;
  return row?.address ?? null;
}

/** A VM as the simulator shows it through RetrievePropertiesEx. */
export interface SeenVm {
  id: string;
  name: string;
  folder: string;
  numCpu: number;
  memoryMb: number;
  /** Capacity of each disk, in KB. */
  disksKb: number[];
  powerState: string;
  ipAddress: string;
  hostName: string;
  network: string;
  /** The first network card's backing. */
  card: { backingType: string | null; portgroupKey: string };
}

const VM_PATHS = [
  'name',
  'parent',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.hardware.device',
  'runtime.powerState',
  'guest.ipAddress',
  'guest.hostName',
];

/**
 * Reads the simulator's VMs with a session of its own (not the adapter's), straight from the property collector.
 */
export function observe(vcsim: Vcsim) {
  const transport = createTransport(vcsim.sdkUrl, { caPem: vcsim.caPem, insecure: false });
  const client = new SoapClient(transport, vcsim, 30_000);
  const toVm = async (id: string, props: Map<string, XmlNode>): Promise<SeenVm> => {
    const parent = props.get('parent');
    const folder = parent ? ((await propertiesOf(client, toMoRef(parent), ['name'], {}))?.get('name')?.text ?? '') : '';
    const devices = props.get('config.hardware.device')?.children ?? [];
    const card = devices.find((d) => textOf(d, 'macAddress') !== '');
    const backing = card?.children.find((c) => c.name === 'backing');
    return {
      id,
      name: props.get('name')?.text ?? '',
      folder,
      numCpu: Number(props.get('config.hardware.numCPU')?.text),
      memoryMb: Number(props.get('config.hardware.memoryMB')?.text),
      disksKb: devices.filter((d) => d.xsiType === 'VirtualDisk').map((d) => Number(textOf(d, 'capacityInKB'))),
      powerState: props.get('runtime.powerState')?.text ?? '',
      ipAddress: props.get('guest.ipAddress')?.text ?? '',
      hostName: props.get('guest.hostName')?.text ?? '',
      network: textOf(backing, 'deviceName'),
      card: { backingType: backing?.xsiType ?? null, portgroupKey: textOf(backing?.children.find((c) => c.name === 'port'), 'portgroupKey') },
    };
  };
  return {
    /** Every VM (and template) named `name`, anywhere in the inventory. */
    async vmsNamed(name: string): Promise<SeenVm[]> {
      const { rootFolder } = await client.connect({});
      const all = await listInContainer(client, rootFolder, 'VirtualMachine', VM_PATHS, {});
      const named = all.filter((o) => o.props.get('name')?.text === name);
      return Promise.all(named.map((o) => toVm(o.obj.value, o.props)));
    },
    async vm(name: string): Promise<SeenVm | null> {
      const found = await this.vmsNamed(name);
      if (found.length > 1) throw new Error(`${found.length} VMs are named ${name}`);
      return found[0] ?? null;
    },
    async close() {
      await client.logout({});
      transport.close();
    },
  };
}
