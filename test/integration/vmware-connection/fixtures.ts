import { randomBytes } from 'node:crypto';
import { createCommandHandlers } from '../../../src/commands/index.ts';
import type { SetVmwareConnectionInput } from '../../../src/commands/index.ts';
import { createSecretBox, parseKeyring, type SecretBox } from '../../../src/secrets/index.ts';
import { dbTest } from '../../support/db-test.ts';

export const newKey = (id: string): string => `${id}:${randomBytes(32).toString('base64')}`;

/** dbTest with a secret box (one random key) and command handlers that store passwords with it. */
export const connectionTest = dbTest
  .extend('secrets', { scope: 'file' }, (): SecretBox => createSecretBox(parseKeyring(newKey('k1'), 'the test keys')))
  .extend('commands', { scope: 'file' }, ({ store, secrets }) =>
    createCommandHandlers(store, { secrets, production: true, simulateUnconfigured: false }),
  );

export const PASSWORD = 'Tr0ub4dor&3-unique-7f3a';

export const connectionInput = (overrides: Partial<SetVmwareConnectionInput> = {}): SetVmwareConnectionInput => ({
  expectedVersion: 0,
  url: 'https://vcenter.example.com/sdk',
  username: 'svc-dvmm@vsphere.local',
  password: PASSWORD,
  datacenter: 'DC0',
  cluster: 'DC0_C0',
  datastore: 'LocalDS_0',
  network: 'VM Network',
  defaultTemplate: 'ubuntu-22.04',
  templates: [{ size: 'XL', template: 'ubuntu-xl' }],
  ...overrides,
});
