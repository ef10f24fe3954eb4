import { HypervisorError } from '../hypervisor-error.ts';
import type { VsphereIpPool } from './settings.ts';
import { child, each, el, type MoRef, moRefXml, nodeXml, textOf, type Xml, type XmlNode } from './xml.ts';

/** The VM properties configure reads, all in one RetrievePropertiesEx. */
export const HARDWARE_PATHS = [
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.hardware.device',
  'config.tools.pendingCustomization',
  'runtime.powerState',
] as const;

/** Where the first network card should be attached: a standard port group, or a distributed one. */
export type NicTarget =
  | { kind: 'network'; name: string; ref: MoRef }
  | { kind: 'distributed'; switchUuid: string; portgroupKey: string; ref: MoRef };

const ETHERNET_TYPES = new Set([
  'VirtualE1000',
  'VirtualE1000e',
  'VirtualPCNet32',
  'VirtualVmxnet',
  'VirtualVmxnet2',
  'VirtualVmxnet3',
  'VirtualVmxnet3Vrdma',
  'VirtualSriovEthernetCard',
]);

export const devicesOf = (props: Map<string, XmlNode>): XmlNode[] => props.get('config.hardware.device')?.children ?? [];
export const ethernetCards = (devices: XmlNode[]): XmlNode[] => devices.filter((d) => ETHERNET_TYPES.has(d.xsiType ?? ''));

/** CloneVM_Task's arguments after _this: into `folder`, named `name`, on `datastore` in `pool`, left powered off. */
export function cloneBody(folder: MoRef, name: string, datastore: MoRef, pool: MoRef): Xml[] {
  return [
    moRefXml('folder', folder),
    el('name', name),
    el('spec', [
      el('location', [moRefXml('datastore', datastore), moRefXml('pool', pool)]),
      el('template', false),
      el('powerOn', false),
    ]),
  ];
}

export interface Size {
  vcpus: number;
  memoryGb: number;
  diskGb: number;
}

/**
 * The VirtualMachineConfigSpec that brings the VM to `size` and attaches its first network card to `nic`, or null when
 * it is there already (configure is repeated by resumed attempts). Edited devices are sent whole, as read from
 * config.hardware.device, with only the changed fields replaced: vCenter (and the simulator) reject partial ones. A
 * disk larger than the size stays as it is (disks do not shrink).
 */
export function reconfigureSpec(props: Map<string, XmlNode>, size: Size, nic: NicTarget): Xml | null {
  const numCpus = Number(props.get('config.hardware.numCPU')?.text ?? '0');
  const memoryMb = Number(props.get('config.hardware.memoryMB')?.text ?? '0');
  const devices = devicesOf(props);
  const changes: Xml[] = [];

  const disk = devices.find((d) => d.xsiType === 'VirtualDisk');
  if (disk === undefined) throw new HypervisorError('VM_CONFIG_INVALID', 'the template has no virtual disk to size');
  const wantKb = size.diskGb * 1024 * 1024;
  if (Number(textOf(disk, 'capacityInKB')) < wantKb) {
    const replace: Record<string, Xml> = { capacityInKB: el('capacityInKB', wantKb) };
    if (child(disk, 'capacityInBytes')) replace.capacityInBytes = el('capacityInBytes', wantKb * 1024);
    changes.push(deviceChange(nodeXml('device', disk, replace)));
  }

  const [card] = ethernetCards(devices);
  if (card === undefined) throw new HypervisorError('VM_CONFIG_INVALID', 'the template has no network card to attach');
  if (!attachedTo(card, nic)) changes.push(deviceChange(nodeXml('device', card, { backing: backingXml(nic) })));

  const wantMemoryMb = size.memoryGb * 1024;
  if (numCpus === size.vcpus && memoryMb === wantMemoryMb && changes.length === 0) return null;
  return el('spec', [
    numCpus === size.vcpus ? null : el('numCPUs', size.vcpus),
    memoryMb === wantMemoryMb ? null : el('memoryMB', wantMemoryMb),
    ...changes,
  ]);
}

const deviceChange = (device: Xml): Xml => el('deviceChange', [el('operation', 'edit'), device]);

function attachedTo(card: XmlNode, nic: NicTarget): boolean {
  const backing = child(card, 'backing');
  if (nic.kind === 'network') {
    return backing?.xsiType === 'VirtualEthernetCardNetworkBackingInfo' && textOf(backing, 'network') === nic.ref.value;
  }
  return textOf(child(backing, 'port'), 'portgroupKey') === nic.portgroupKey;
}

function backingXml(nic: NicTarget): Xml {
  if (nic.kind === 'network') {
    return el('backing', [el('deviceName', nic.name), moRefXml('network', nic.ref)], 'VirtualEthernetCardNetworkBackingInfo');
  }
  return el(
    'backing',
    [el('port', [el('switchUuid', nic.switchUuid), el('portgroupKey', nic.portgroupKey)])],
    'VirtualEthernetCardDistributedVirtualPortBackingInfo',
  );
}

export interface Customization {
  hostname: string;
  /** How many network cards the VM has: vCenter wants one adapter mapping per card. */
  nicCount: number;
  /** The first card's fixed address from the pool; null: DHCP. */
  fixed: { ipAddress: string; pool: VsphereIpPool } | null;
}

/**
 * CustomizeVM_Task's spec (Linux guests): the hostname, and the first card's fixed address from the pool or DHCP;
 * any other card gets DHCP.
 */
export function customizationSpec({ hostname, nicCount, fixed }: Customization): Xml {
  const domain = fixed?.pool.dnsDomain ?? 'localdomain';
  const dns = fixed?.pool.dnsServers ?? [];
  const adapters = Array.from({ length: Math.max(1, nicCount) }, (_, index) => {
    const ip =
      index === 0 && fixed
        ? [
            el('ip', [el('ipAddress', fixed.ipAddress)], 'CustomizationFixedIp'),
            el('subnetMask', subnetMask(fixed.pool.cidr)),
            each('gateway', [fixed.pool.gateway]),
            each('dnsServerList', dns),
            fixed.pool.dnsDomain ? el('dnsDomain', fixed.pool.dnsDomain) : null,
          ]
        : [el('ip', [], 'CustomizationDhcpIpGenerator')];
    return el('nicSettingMap', [el('adapter', ip)]);
  });
  return el('spec', [
    el('identity', [el('hostName', [el('name', hostname)], 'CustomizationFixedName'), el('domain', domain)], 'CustomizationLinuxPrep'),
    el('globalIPSettings', [each('dnsSuffixList', fixed?.pool.dnsDomain ? [fixed.pool.dnsDomain] : []), each('dnsServerList', dns)]),
    ...adapters,
  ]);
}

/** 10.0.0.0/24 -> 255.255.255.0 */
export function subnetMask(cidr: string): string {
  const bits = Number(cidr.split('/')[1]);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new HypervisorError('VM_CONFIG_INVALID', `IP pool ${cidr} is not a CIDR`);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 255).join('.');
}
