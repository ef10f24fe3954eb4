import { describe, expect, it } from 'vitest';
import { poolPath } from '../../src/provisioning/vsphere/inventory.ts';
import { customizationSpec, type NicTarget, reconfigureSpec, subnetMask } from '../../src/provisioning/vsphere/specs.ts';
import { child, childrenNamed, parseXml, textOf, type XmlNode } from '../../src/provisioning/vsphere/xml.ts';

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** A VM's properties as RetrievePropertiesEx gives them: 2 vCPUs, 4 GB, a 10 GB disk, one card on network-7. */
function vmProps(numCpu = 2, memoryMb = 4096, diskKb = 10 * 1024 * 1024, networkRef = 'network-7'): Map<string, XmlNode> {
  const devices = parseXml(
    `<val ${XSI} xsi:type="ArrayOfVirtualDevice">` +
      '<VirtualDevice xsi:type="VirtualIDEController"><key>200</key><deviceInfo><label>IDE 0</label><summary>IDE 0</summary></deviceInfo><busNumber>0</busNumber></VirtualDevice>' +
      `<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label><summary>disk</summary></deviceInfo>` +
      '<backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] t/t.vmdk</fileName><diskMode>persistent</diskMode></backing>' +
      `<controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>${diskKb}</capacityInKB><capacityInBytes>${diskKb * 1024}</capacityInBytes></VirtualDevice>` +
      '<VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><deviceInfo><label>Network adapter 1</label><summary>VM Network</summary></deviceInfo>' +
      `<backing xsi:type="VirtualEthernetCardNetworkBackingInfo"><deviceName>VM Network</deviceName><network type="Network">${networkRef}</network></backing>` +
      '<addressType>generated</addressType><macAddress>00:50:56:00:00:01</macAddress></VirtualDevice>' +
      '</val>',
  );
  const value = (text: string) => ({ name: 'val', xsiType: null, attrs: {}, text, children: [] });
  return new Map([
    ['config.hardware.numCPU', value(String(numCpu))],
    ['config.hardware.memoryMB', value(String(memoryMb))],
    ['config.hardware.device', devices],
  ]);
}

const network: NicTarget = { kind: 'network', name: 'VM Network', ref: { type: 'Network', value: 'network-7' } };

describe('reconfigureSpec', () => {
  it('sets vCPUs, memory and grows the first disk, sending the whole disk with its new capacity', () => {
    const spec = reconfigureSpec(vmProps(), { vcpus: 4, memoryGb: 8, diskGb: 50 }, network);
    const parsed = parseXml(spec?.xml.replace('<spec>', `<spec ${XSI}>`) ?? '');
    expect(textOf(parsed, 'numCPUs')).toBe('4');
    expect(textOf(parsed, 'memoryMB')).toBe('8192');
    const changes = childrenNamed(parsed, 'deviceChange');
    expect(changes).toHaveLength(1);
    const disk = child(changes[0], 'device');
    expect(textOf(changes[0], 'operation')).toBe('edit');
    expect(disk?.xsiType).toBe('VirtualDisk');
    expect(textOf(disk, 'capacityInKB')).toBe(String(50 * 1024 * 1024));
    expect(textOf(disk, 'capacityInBytes')).toBe(String(50 * 1024 * 1024 * 1024));
    // Everything else as read: the server refuses a partial device.
    expect(textOf(disk, 'key')).toBe('2000');
    expect(textOf(child(disk, 'backing'), 'fileName')).toBe('[ds1] t/t.vmdk');
    expect(textOf(child(disk, 'deviceInfo'), 'label')).toBe('Hard disk 1');
  });

  it('changes nothing on a VM that is already configured (a resumed attempt)', () => {
    expect(reconfigureSpec(vmProps(4, 8192, 50 * 1024 * 1024), { vcpus: 4, memoryGb: 8, diskGb: 50 }, network)).toBeNull();
  });

  it('never shrinks a disk larger than the size', () => {
    expect(reconfigureSpec(vmProps(2, 4096, 80 * 1024 * 1024), { vcpus: 2, memoryGb: 4, diskGb: 50 }, network)).toBeNull();
  });

  it('moves the first card to the configured network, keeping the rest of the card', () => {
    const spec = reconfigureSpec(vmProps(2, 4096, 10 * 1024 * 1024, 'network-1'), { vcpus: 2, memoryGb: 4, diskGb: 10 }, network);
    const card = child(child(parseXml(spec?.xml.replace('<spec>', `<spec ${XSI}>`) ?? ''), 'deviceChange'), 'device');
    expect(card?.xsiType).toBe('VirtualVmxnet3');
    expect(textOf(card, 'macAddress')).toBe('00:50:56:00:00:01');
    expect(child(card, 'backing')?.xsiType).toBe('VirtualEthernetCardNetworkBackingInfo');
    expect(textOf(child(card, 'backing'), 'network')).toBe('network-7');
  });
});

describe('customizationSpec', () => {
  it('gives the first card the fixed address with the pool mask, gateway and DNS, and the hostname', () => {
    const spec = customizationSpec({
      hostname: 'web-1',
      nicCount: 2,
      fixed: {
        ipAddress: '10.20.0.5',
        pool: { cidr: '10.20.0.0/22', gateway: '10.20.0.1', dnsServers: ['10.0.0.53'], dnsDomain: 'corp.example.com' },
      },
    });
    const parsed = parseXml(spec.xml.replace('<spec>', `<spec ${XSI}>`));
    expect(textOf(child(child(parsed, 'identity'), 'hostName'), 'name')).toBe('web-1');
    expect(textOf(child(parsed, 'identity'), 'domain')).toBe('corp.example.com');
    const [first, second] = childrenNamed(parsed, 'nicSettingMap').map((m) => child(m, 'adapter'));
    expect(child(first, 'ip')?.xsiType).toBe('CustomizationFixedIp');
    expect(textOf(child(first, 'ip'), 'ipAddress')).toBe('10.20.0.5');
    expect(textOf(first, 'subnetMask')).toBe('255.255.252.0');
    expect(textOf(first, 'gateway')).toBe('10.20.0.1');
    expect(textOf(first, 'dnsServerList')).toBe('10.0.0.53');
    expect(child(second, 'ip')?.xsiType).toBe('CustomizationDhcpIpGenerator');
  });

  it('uses DHCP when there is no pool', () => {
    const parsed = parseXml(customizationSpec({ hostname: 'db', nicCount: 1, fixed: null }).xml.replace('<spec>', `<spec ${XSI}>`));
    expect(child(child(child(parsed, 'nicSettingMap'), 'adapter'), 'ip')?.xsiType).toBe('CustomizationDhcpIpGenerator');
  });
});

describe('subnetMask', () => {
  it.each([
    ['10.0.0.0/24', '255.255.255.0'],
    ['10.0.0.0/16', '255.255.0.0'],
    ['10.0.0.0/30', '255.255.255.252'],
    ['0.0.0.0/0', '0.0.0.0'],
    ['10.0.0.1/32', '255.255.255.255'],
  ])('%s -> %s', (cidr, mask) => expect(subnetMask(cidr)).toBe(mask));

  it('refuses what is not a CIDR', () => expect(() => subnetMask('10.0.0.0')).toThrow(/not a CIDR/));
});

describe('poolPath', () => {
  it.each([
    ['/DC0/host/C0/Resources/web', 'C0', 'DC0/host/C0/Resources/web'],
    ['web', 'C0', 'DC0/host/C0/Resources/web'],
    ['C1/Resources/db', 'C0', 'DC0/host/C1/Resources/db'],
    ['H0/Resources', null, 'DC0/host/H0/Resources'],
  ])('%s (cluster %s) -> %s', (pool, cluster, path) => expect(poolPath('DC0', cluster, pool)).toBe(path));
});
