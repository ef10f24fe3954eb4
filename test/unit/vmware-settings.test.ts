import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changedSettingFields, parseVmwareSettings, type VmwareSettingsInput } from '../../src/domain/index.ts';
import { firstFree } from '../../src/provisioning/ip-allocations.ts';

const valid: VmwareSettingsInput = {
  url: 'https://vcenter.example.com/sdk',
  username: 'svc-dvmm@vsphere.local',
  datacenter: 'DC0',
  cluster: 'DC0_C0',
  datastore: 'LocalDS_0',
  network: 'VM Network',
  templates: [{ size: 'M', template: 'ubuntu-m' }],
  defaultTemplate: 'ubuntu-22.04',
  ipPool: { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dnsServers: ['10.20.0.2'], dnsDomain: 'Corp.Example.com' },
  tls: { caPem: null, insecure: false },
};

const fieldsOf = (input: VmwareSettingsInput, production = false) => {
  const result = parseVmwareSettings(input, production);
  if (result.ok) return [];
  if (result.error.code !== 'VALIDATION') throw new Error(result.error.message);
  return result.error.fields.map((f) => f.field);
};

describe('a vCenter connection\'s settings', () => {
  it('accepts a complete connection, normalised (folder "", domain lowercased, templates by size)', () => {
    const result = parseVmwareSettings(valid, true);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value).toMatchObject({
      folder: '',
      resourcePool: null,
      templates: { M: 'ubuntu-m' },
      ipPool: { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dnsServers: ['10.20.0.2'], dnsDomain: 'corp.example.com' },
    });
  });

  it('names every invalid field at once', () => {
    expect(
      fieldsOf({
        ...valid,
        url: 'http://vcenter.example.com/sdk',
        username: ' ',
        datastore: 'x'.repeat(256),
        cluster: null,
        resourcePool: null,
        templates: [{ size: 'XXL', template: 'big' }],
        defaultTemplate: null,
        ipPool: { cidr: '10.20.0.0/24', gateway: '10.30.0.1', dnsServers: ['dns.example.com'], dnsDomain: 'not a domain' },
        tls: { caPem: 'not a certificate', insecure: true },
      }, true),
    ).toEqual([
      'url', 'username', 'cluster', 'datastore', 'templates', 'defaultTemplate',
      'ipPool.gateway', 'ipPool.dnsServers', 'ipPool.dnsDomain', 'tls.caPem', 'tls.insecure',
    ]);
  });

  it('refuses a URL with credentials, a CIDR with host bits, a gateway on the network address, a template twice', () => {
    expect(fieldsOf({ ...valid, url: 'https://root:pw@vc.example.com/sdk' })).toEqual(['url']);
    expect(fieldsOf({ ...valid, ipPool: { ...valid.ipPool!, cidr: '10.20.0.5/24' } })).toEqual(['ipPool.cidr']);
    expect(fieldsOf({ ...valid, ipPool: { ...valid.ipPool!, gateway: '10.20.0.0' } })).toEqual(['ipPool.gateway']);
    expect(fieldsOf({ ...valid, templates: [{ size: 'S', template: 'a' }, { size: 'S', template: 'b' }] })).toEqual(['templates']);
  });

  it('allows tls.insecure outside production only; takes a real PEM certificate as CA', () => {
    expect(fieldsOf({ ...valid, tls: { insecure: true } }, false)).toEqual([]);
    expect(fieldsOf({ ...valid, tls: { insecure: true } }, true)).toEqual(['tls.insecure']);
    const pem = selfSignedPem();
    expect(new X509Certificate(pem).subject).toBeTruthy();
    expect(fieldsOf({ ...valid, tls: { caPem: pem } }, true)).toEqual([]);
    expect(fieldsOf({ ...valid, tls: { caPem: pem.replace(/[A-Za-z]{8}/, 'AAAAAAAA') } }, true)).toEqual(['tls.caPem']);
  });

  it('needs no default template when every size has its own', () => {
    const templates = (['S', 'M', 'L', 'XL'] as const).map((size) => ({ size, template: `t-${size}` }));
    expect(fieldsOf({ ...valid, templates, defaultTemplate: null })).toEqual([]);
  });

  it('names the settings that changed, and none for the same settings given in another order', () => {
    const before = parseVmwareSettings(valid, false);
    const after = parseVmwareSettings({ ...valid, datastore: 'LocalDS_1', templates: [{ size: 'M', template: 'ubuntu-m' }] }, false);
    if (!before.ok || !after.ok) throw new Error('invalid');
    expect(changedSettingFields(null, before.value)).toHaveLength(12);
    expect(changedSettingFields(before.value, after.value)).toEqual(['datastore']);
    expect(changedSettingFields(before.value, before.value)).toEqual([]);
  });
});

describe('the first free address of a pool', () => {
  const pool = { cidr: '10.0.0.0/29', gateway: '10.0.0.1', dnsServers: [], dnsDomain: null };
  const ip = (last: number) => 10 * 2 ** 24 + last;
  it('skips the network, the gateway and taken addresses, and fills gaps first', () => {
    expect(firstFree(pool, new Set())).toBe('10.0.0.2');
    expect(firstFree(pool, new Set([ip(2), ip(3), ip(5)]))).toBe('10.0.0.4');
    expect(firstFree({ ...pool, gateway: '10.0.0.6' }, new Set())).toBe('10.0.0.1');
  });
  it('skips DNS servers inside the pool, and ignores those outside it', () => {
    expect(firstFree({ ...pool, dnsServers: ['10.0.0.2', '10.0.0.3'] }, new Set())).toBe('10.0.0.4');
    expect(firstFree({ ...pool, dnsServers: ['10.0.0.3', '192.168.1.2'] }, new Set([ip(2)]))).toBe('10.0.0.4');
    expect(firstFree({ ...pool, dnsServers: ['192.168.1.2'] }, new Set())).toBe('10.0.0.2');
  });
  it('never hands out the broadcast address; a full pool is INSUFFICIENT_RESOURCES', () => {
    expect(firstFree(pool, new Set([ip(2), ip(3), ip(4), ip(5)]))).toBe('10.0.0.6');
    expect(() => firstFree(pool, new Set([ip(2), ip(3), ip(4), ip(5), ip(6)]))).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_RESOURCES' }),
    );
  });
});

// Node cannot mint a certificate, so one is kept here: self-signed EC P-256, CN=dvmm-test-ca, valid until 2126
// (openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj /CN=dvmm-test-ca).
const selfSignedPem = (): string => `-----BEGIN CERTIFICATE-----
MIIBhjCCASugAwIBAgIURX1S4VAcOn2IhLPo+s088YBvASQwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMZHZtbS10ZXN0LWNhMCAXDTI2MTIwNzE4MjQxNFoYDzIxMjYx
MTEzMTgyNDE0WjAXMRUwEwYDVQQDDAxkdm1tLXRlc3QtY2EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQ049+6LhLE/OhxzxGzFiUmHEis3PDJYwB6VMh2WShwkrge
gshjDbS3Vkv0gKWb53wGf1Vrrrn3PXairgJ5UVedo1MwUTAdBgNVHQ4EFgQUMmY5
kac2c+eZGXtNoRXeOmbRj3wwHwYDVR0jBBgwFoAUMmY5kac2c+eZGXtNoRXeOmbR
j3wwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAyY+FkX8LbBPN
a7cfsTbV9Nvv5f2YONzKIj03v4dnniMCIQDlDJexZxYehxP4fYekZjKuYzi5wR2h
zooDUeGo2Y7sgw==
-----END CERTIFICATE-----`;
