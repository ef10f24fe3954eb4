import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSealing, sealerConfigFromEnv } from '../../src/audit/sealer-config.ts';
import { keyIdOf } from '../../src/audit/seal-key.ts';

const dir = mkdtempSync(join(tmpdir(), 'dvmm-seal-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ed25519 = () => generateKeyPairSync('ed25519');

describe('seal key from the environment', () => {
  it('takes DVMM_SEAL_KEY as PEM or as base64 DER, and DVMM_SEAL_KEY_FILE', () => {
    const { privateKey, publicKey } = ed25519();
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const file = join(dir, 'key.pem');
    writeFileSync(file, pem);
    for (const env of [{ DVMM_SEAL_KEY: pem }, { DVMM_SEAL_KEY: der }, { DVMM_SEAL_KEY_FILE: file, NODE_ENV: 'production' }]) {
      expect(sealerConfigFromEnv(env).key?.keyId).toBe(keyIdOf(publicKey));
    }
  });

  it('generates a development key once, next to the data folder, and reuses it', () => {
    const dataDir = join(dir, 'data');
    const first = sealerConfigFromEnv({ DVMM_DATA_DIR: dataDir });
    const second = sealerConfigFromEnv({ DVMM_DATA_DIR: dataDir });
    expect(first.key?.source).toBe(join(dir, 'data.seal-key'));
    expect(second.key?.keyId).toBe(first.key?.keyId);
    expect(readFileSync(join(dir, 'data.seal-key'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(existsSync(dataDir)).toBe(false); // the data folder itself stays untouched (initdb wants it empty)
  });

  it('in production without a key: no seals, and a warning that says how to fix it', () => {
    const config = sealerConfigFromEnv({ NODE_ENV: 'production', DVMM_DATA_DIR: join(dir, 'prod') });
    expect(config.key).toBeNull();
    expect(existsSync(join(dir, 'prod.seal-key'))).toBe(false);
    expect(describeSealing(config)).toMatch(/WARNING: no seal key .* set DVMM_SEAL_KEY or DVMM_SEAL_KEY_FILE/);
  });

  it('refuses a key that is not Ed25519, text that is no key, a missing file and a bad interval', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => sealerConfigFromEnv({ DVMM_SEAL_KEY: rsa })).toThrow('DVMM_SEAL_KEY must be an Ed25519 key, got rsa');
    expect(() => sealerConfigFromEnv({ DVMM_SEAL_KEY: 'hello' })).toThrow(/DVMM_SEAL_KEY is not a PKCS#8 private key/);
    expect(() => sealerConfigFromEnv({ DVMM_SEAL_KEY_FILE: join(dir, 'nope.pem') })).toThrow(/DVMM_SEAL_KEY_FILE: cannot read/);
    const key = ed25519().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => sealerConfigFromEnv({ DVMM_SEAL_KEY: key, DVMM_SEAL_INTERVAL_MS: '10s' })).toThrow(/DVMM_SEAL_INTERVAL_MS must be a whole number/);
    expect(sealerConfigFromEnv({ DVMM_SEAL_KEY: key, DVMM_SEAL_INTERVAL_MS: '2500' }).sealIntervalMs).toBe(2500);
  });
});
