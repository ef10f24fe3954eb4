import { describe, expect, vi } from 'vitest';
import { createCommandHandlers, readVmwareConnection } from '../../../src/commands/index.ts';
import { loadTenantConnection } from '../../../src/provisioning/tenant-connection.ts';
import { createSecretBox, parseKeyring, passwordContext, rotateSecrets } from '../../../src/secrets/index.ts';
import { dbTest as test } from '../../support/db-test.ts';
import { runToEnd } from '../../support/run-process.ts';
import { person } from '../../support/personas.ts';
import { success } from '../commands-fixtures.ts';
import { connectionInput, newKey } from './fixtures.ts';

vi.setConfig({ testTimeout: 240_000 });

const k1 = newKey('k1');
const k2 = newKey('k2');
let tenants = 0;
const tenant = () => `rot-${++tenants}-${Date.now().toString(36)}`;

describe('secrets:rotate', () => {
  test('re-encrypts every password with the new key while reads go on, never overwriting a password saved meanwhile', async ({ store, sql }) => {
    const before = createCommandHandlers(store, { secrets: createSecretBox(parseKeyring(k1, 'old')) });
    const ids = Array.from({ length: 6 }, tenant);
    for (const [i, t] of ids.entries()) {
      success(await before.setVmwareConnection(person(t, 'root', 'admin'), connectionInput({ password: `pw-${i}` })));
    }

    // The instances restarted with the new key first and the old one still there.
    const both = createSecretBox(parseKeyring(`${k2},${k1}`, 'DVMM_SECRETS_KEYS'));
    const after = createCommandHandlers(store, { secrets: both });
    let reading = true;
    let reads = 0;
    const readsGoOn = (async () => {
      while (reading) {
        for (const [i, t] of ids.entries()) {
          const connection = await loadTenantConnection(sql, both, t);
          // The first tenant's password may change under us (below); the others never do.
          if (i > 0) expect(connection?.settings.password).toBe(`pw-${i}`);
          reads++;
        }
      }
    })();
    const [report] = await Promise.all([
      rotateSecrets(sql, both),
      after.setVmwareConnection(person(ids[0]!, 'root', 'admin'), connectionInput({ expectedVersion: 1, password: 'changed-meanwhile' })),
    ]);
    await expect.poll(() => reads).toBeGreaterThan(ids.length);
    reading = false;
    await readsGoOn;

    expect(report.rotated + report.current + report.changedMeanwhile).toBe(ids.length);
    expect(report.unreadable).toEqual([]);
    // Only the new key is needed now, and the password saved during the rotation is the one kept.
    const onlyNew = createSecretBox(parseKeyring(k2, 'DVMM_SECRETS_KEYS'));
    for (const [i, t] of ids.entries()) {
      const stored = (await readVmwareConnection(sql, t))!;
      expect(onlyNew.keyIdOf(stored.passwordSecret)).toBe('k2');
      expect(onlyNew.decrypt(stored.passwordSecret, passwordContext(t))).toBe(i === 0 ? 'changed-meanwhile' : `pw-${i}`);
    }
    expect(await rotateSecrets(sql, both)).toMatchObject({ rotated: 0, current: ids.length });
  });

  test('`npm run cli -- secrets:rotate`: counts as JSON; a password no key opens is named (exit 2) and left as it is', async ({ store, sql, url }) => {
    const k3 = newKey('k3');
    const lost = tenant();
    success(
      await createCommandHandlers(store, { secrets: createSecretBox(parseKeyring(k3, 'lost')) }).setVmwareConnection(
        person(lost, 'root', 'admin'),
        connectionInput(),
      ),
    );
    const kept = (await readVmwareConnection(sql, lost))!.passwordSecret;
    const { code, stdout, stderr } = await runToEnd('src/cli.ts', ['secrets:rotate'], { DATABASE_URL: url, DVMM_SECRETS_KEYS: `${k2},${k1}` });
    expect(stderr).toContain(`tenant ${lost}: The stored secret was encrypted with key k3, which is not in DVMM_SECRETS_KEYS`);
    expect(stderr).not.toContain(k1.split(':')[1]!);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ key: 'k2', rotated: 0, unreadable: 1 });
    expect(code).toBe(2);
    expect((await readVmwareConnection(sql, lost))!.passwordSecret).toBe(kept);
  });
});
