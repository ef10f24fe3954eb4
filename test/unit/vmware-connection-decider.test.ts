import { describe, expect, it } from 'vitest';
import {
  parseVmwareSettings,
  type Principal,
  type SetVmwareConnection,
  type VmwareConnectionState,
  vmwareConnectionDecider,
  type VmwareSettingsInput,
} from '../../src/domain/index.ts';

const admin: Principal = { tenantId: 'acme', userId: 'root', roles: ['admin'] };
const input: VmwareSettingsInput = {
  url: 'https://vcenter.example.com/sdk',
  username: 'svc-dvmm@vsphere.local',
  datacenter: 'DC0',
  cluster: 'DC0_C0',
  datastore: 'LocalDS_0',
  network: 'VM Network',
  templates: [],
  defaultTemplate: 'ubuntu-22.04',
};
const stored = parseVmwareSettings(input, false);
if (!stored.ok) throw new Error('fixture settings do not parse');

const set = (expectedVersion: number, previous: SetVmwareConnection['data']['previous']): SetVmwareConnection => ({
  type: 'SetVmwareConnection',
  data: { actor: admin, expectedVersion, input: { ...input, datastore: 'LocalDS_1' }, password: 'Secret-1234', passwordDiffers: true, previous, production: false },
});
const decide = (command: SetVmwareConnection, state: VmwareConnectionState) => vmwareConnectionDecider.decide(command, state);

describe('SetVmwareConnection decided at the stream version', () => {
  it('refuses a set made against no connection when the stream has one at that version (set meanwhile)', () => {
    const result = decide(set(1, null), { status: 'CONFIGURED', version: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'CONCURRENCY_CONFLICT', expectedVersion: 0, actualVersion: 1 } });
  });

  it('accepts a set against no connection after a removal, and a change of the connection the admin saw', () => {
    expect(decide(set(2, null), { status: 'REMOVED', version: 2 })).toMatchObject({ ok: true, value: [{ type: 'VmwareConnectionChanged' }] });
    expect(decide(set(1, stored.value), { status: 'CONFIGURED', version: 1 })).toMatchObject({
      ok: true,
      value: [{ data: { changedFields: ['datastore'], passwordChanged: true } }],
    });
  });
});
