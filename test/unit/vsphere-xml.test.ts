import { describe, expect, it } from 'vitest';
import { HypervisorError } from '../../src/provisioning/hypervisor-error.ts';
import { codeForFault, VimFaultError } from '../../src/provisioning/vsphere/faults.ts';
import { replyOf } from '../../src/provisioning/vsphere/soap-client.ts';
import { taskFaultError } from '../../src/provisioning/vsphere/faults.ts';
import { child, el, envelope, moRefXml, nodeXml, parseXml, pathOf, toMoRef } from '../../src/provisioning/vsphere/xml.ts';

// Replies written here as the vSphere Web Services API reference documents them, with prefixes of our own choosing:
// the client must not depend on the ones a given server happens to use.
const reply = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:v="urn:vim25" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><S:Body>${body}</S:Body></S:Envelope>`;

describe('vim25 envelopes', () => {
  it('escapes text, so a password with markup in it arrives as written', () => {
    const password = `p<a>ss&"wo'rd]]>`;
    const xml = envelope('Login', [moRefXml('_this', { type: 'SessionManager', value: 'SessionManager' }), el('password', password)]);
    const login = child(parseXml(xml), 'Body')?.children[0];
    expect(login?.name).toBe('Login');
    expect(child(login, 'password')?.text).toBe(password);
    expect(toMoRef(child(login, '_this') ?? fail())).toEqual({ type: 'SessionManager', value: 'SessionManager' });
  });

  it('writes xsi:type for polymorphic values and leaves out absent ones', () => {
    const xml = el('spec', [el('ip', [el('ipAddress', '10.0.0.5')], 'CustomizationFixedIp'), el('dnsDomain', null)]).xml;
    expect(xml).toBe('<spec><ip xsi:type="CustomizationFixedIp"><ipAddress>10.0.0.5</ipAddress></ip></spec>');
  });
});

describe('vim25 replies', () => {
  it('keeps xsi:type apart from a managed object reference type, whatever the prefixes', () => {
    const node = replyOf(
      'RetrievePropertiesEx',
      200,
      reply(
        '<v:RetrievePropertiesExResponse><v:returnval><v:objects><v:obj type="VirtualMachine">vm-42</v:obj>' +
          '<v:propSet><v:name>parent</v:name><v:val i:type="v:ManagedObjectReference" type="Folder">group-v3</v:val></v:propSet>' +
          '</v:objects></v:returnval></v:RetrievePropertiesExResponse>',
      ),
    );
    const val = pathOf(node, 'returnval.objects.propSet.val');
    expect(val?.xsiType).toBe('ManagedObjectReference');
    expect(toMoRef(val ?? fail())).toEqual({ type: 'Folder', value: 'group-v3' });
    expect(toMoRef(pathOf(node, 'returnval.objects.obj') ?? fail())).toEqual({ type: 'VirtualMachine', value: 'vm-42' });
  });

  it('writes a device read from a reply back whole, in order, with only the replaced field changed', () => {
    const node = replyOf(
      'RetrievePropertiesEx',
      200,
      reply(
        '<v:R><v:val i:type="ArrayOfVirtualDevice"><v:VirtualDevice i:type="VirtualDisk"><v:key>2000</v:key>' +
          '<v:deviceInfo><v:label>Hard disk 1</v:label><v:summary>1,024 KB</v:summary></v:deviceInfo>' +
          '<v:backing i:type="VirtualDiskFlatVer2BackingInfo"><v:fileName>[ds] a/a.vmdk</v:fileName>' +
          '<v:datastore type="Datastore">datastore-1</v:datastore><v:diskMode>persistent</v:diskMode></v:backing>' +
          '<v:controllerKey>1000</v:controllerKey><v:unitNumber>0</v:unitNumber><v:capacityInKB>1024</v:capacityInKB>' +
          '</v:VirtualDevice></v:val></v:R>',
      ),
    );
    const disk = pathOf(node, 'val.VirtualDevice') ?? fail();
    const written = nodeXml('device', disk, { capacityInKB: el('capacityInKB', 2048) }).xml;
    expect(written).toBe(
      '<device xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label><summary>1,024 KB</summary></deviceInfo>' +
        '<backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds] a/a.vmdk</fileName>' +
        '<datastore type="Datastore">datastore-1</datastore><diskMode>persistent</diskMode></backing>' +
        '<controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>2048</capacityInKB></device>',
    );
  });
});

describe('vim25 faults', () => {
  const soapFault = (detail: string, message = 'msg') =>
    reply(`<S:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${message}</faultstring><detail>${detail}</detail></S:Fault>`);

  const thrown = (fn: () => unknown): VimFaultError | HypervisorError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof HypervisorError) return error;
      throw error;
    }
    throw new Error('nothing was thrown');
  };

  it('InvalidLogin is AUTHENTICATION_FAILED and not retried', () => {
    const error = thrown(() =>
      replyOf('Login', 500, soapFault('<v:InvalidLoginFault i:type="v:InvalidLogin"/>', 'Cannot complete login due to an incorrect user name or password.')),
    );
    expect(error).toBeInstanceOf(VimFaultError);
    expect(error).toMatchObject({ faultType: 'InvalidLogin', code: 'AUTHENTICATION_FAILED', retryable: false });
    expect(error.message).toContain('incorrect user name or password');
  });

  it('a fault without xsi:type is known by its element name', () => {
    const error = thrown(() => replyOf('CreateContainerView', 500, soapFault('<NotAuthenticatedFault xmlns="urn:vim25"/>')));
    expect(error).toMatchObject({ faultType: 'NotAuthenticated', code: 'AUTHENTICATION_FAILED' });
  });

  it('ManagedObjectNotFound names the object and is not classified as an outage', () => {
    const error = thrown(() =>
      replyOf('PowerOnVM_Task', 500, soapFault('<v:ManagedObjectNotFoundFault i:type="ManagedObjectNotFound"><v:obj type="VirtualMachine">vm-7</v:obj></v:ManagedObjectNotFoundFault>')),
    );
    expect(error).toMatchObject({ faultType: 'ManagedObjectNotFound', code: 'UNKNOWN', retryable: false });
    expect(error.message).toContain('VirtualMachine vm-7');
  });

  it('a task failing for want of resources is INSUFFICIENT_RESOURCES and retried', () => {
    const info = parseXml(
      '<error xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><fault i:type="InsufficientMemoryResourcesFault">' +
        '<unreserved>0</unreserved><requested>8192</requested></fault>' +
        '<localizedMessage>Insufficient memory resources.</localizedMessage></error>',
    );
    const error = taskFaultError(info, 'cloning dvmm-1');
    expect(error).toMatchObject({ faultType: 'InsufficientMemoryResourcesFault', code: 'INSUFFICIENT_RESOURCES', retryable: true });
    expect(error.message).toBe('cloning dvmm-1 failed with InsufficientMemoryResourcesFault: Insufficient memory resources.');
  });

  it('a reply that is not SOAP: an outage when the server says 5xx, else UNKNOWN', () => {
    expect(thrown(() => replyOf('Login', 503, '<html><body>Service Unavailable</body></html>'))).toMatchObject({
      code: 'CONNECTION_FAILED',
      retryable: true,
    });
    expect(thrown(() => replyOf('Login', 404, 'not found'))).toMatchObject({ code: 'UNKNOWN' });
  });
});

describe('fault types to domain codes', () => {
  it.each([
    ['InvalidLogin', 'AUTHENTICATION_FAILED'],
    ['NoPermission', 'AUTHENTICATION_FAILED'],
    ['InsufficientResourcesFault', 'INSUFFICIENT_RESOURCES'],
    ['InsufficientCpuResourcesFault', 'INSUFFICIENT_RESOURCES'],
    ['InsufficientHostCapacityFault', 'INSUFFICIENT_RESOURCES'],
    ['InsufficientStorageSpace', 'INSUFFICIENT_RESOURCES'],
    ['NoDiskSpace', 'DATASTORE_NOT_AVAILABLE'],
    ['HostNotConnected', 'CONNECTION_FAILED'],
    ['TaskInProgress', 'CONNECTION_FAILED'],
    ['InvalidDeviceSpec', 'VM_CONFIG_INVALID'],
    ['InvalidPowerState', 'VM_CONFIG_INVALID'],
    ['ManagedObjectNotFound', 'UNKNOWN'],
    ['SomethingNew', 'UNKNOWN'],
  ])('%s -> %s', (faultType, code) => expect(codeForFault(faultType)).toBe(code));
});

function fail(): never {
  throw new Error('expected a node');
}
