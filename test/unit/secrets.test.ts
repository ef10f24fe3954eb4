import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/config-error.ts';
import { createSecretBox, devSecretsKeyFile, parseKeyring, secretsKeyring, SecretUnreadableError } from '../../src/secrets/index.ts';

const key = () => randomBytes(32).toString('base64');
const k1 = `k1:${key()}`;
const k2 = `k2:${key()}`;

describe('the secret box (AES-256-GCM)', () => {
  it('round-trips, with a fresh nonce each time, naming the key that encrypted', () => {
    const box = createSecretBox(parseKeyring(k1, 'test'));
    const a = box.encrypt('s3cret pässword ', 'tenant:acme');
    const b = box.encrypt('s3cret pässword ', 'tenant:acme');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(a.startsWith('v1:k1:')).toBe(true);
    expect(box.keyIdOf(a)).toBe('k1');
    expect(box.decrypt(a, 'tenant:acme')).toBe('s3cret pässword ');
  });

  it('decrypts with every configured key and encrypts with the first', () => {
    const old = createSecretBox(parseKeyring(k1, 'test'));
    const stored = old.encrypt('pw', 'c');
    const rotated = createSecretBox(parseKeyring(`${k2},${k1}`, 'test'));
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.decrypt(stored, 'c')).toBe('pw');
    expect(rotated.keyIdOf(rotated.encrypt('pw', 'c'))).toBe('k2');
  });

  it('refuses, with a clear error, a key it does not have, a tampered text, another context and garbage', () => {
    const box = createSecretBox(parseKeyring(k1, 'DVMM_SECRETS_KEYS'));
    const stored = box.encrypt('pw', 'tenant:acme');
    const withoutK1 = createSecretBox(parseKeyring(k2, 'DVMM_SECRETS_KEYS'));
    expect(() => withoutK1.decrypt(stored, 'tenant:acme')).toThrow(/encrypted with key k1, which is not in DVMM_SECRETS_KEYS/);

    const payload = Buffer.from(stored.split(':')[2]!, 'base64');
    payload[payload.length - 1]! ^= 1;
    const tampered = `v1:k1:${payload.toString('base64')}`;
    expect(() => box.decrypt(tampered, 'tenant:acme')).toThrow(SecretUnreadableError);
    expect(() => box.decrypt(tampered, 'tenant:acme')).toThrow(/does not open with key k1/);
    // The same key id naming another key: the tag does not match either.
    const sameIdOtherKey = createSecretBox(parseKeyring(`k1:${key()}`, 'test'));
    expect(() => sameIdOtherKey.decrypt(stored, 'tenant:acme')).toThrow(SecretUnreadableError);
    expect(() => box.decrypt(stored, 'tenant:globex')).toThrow(SecretUnreadableError);
    expect(() => box.decrypt('plain text', 'tenant:acme')).toThrow(/not in a format/);
    expect(() => box.decrypt('v1:k1:AAAA', 'tenant:acme')).toThrow(/truncated/);
  });
});

describe('DVMM_SECRETS_KEYS', () => {
  it('refuses malformed entries by position and id, never repeating the key', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const problem = (text: string) => {
      try {
        parseKeyring(text, 'DVMM_SECRETS_KEYS');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(problem(`k1:${short}`)).toMatch(/entry 1 \(key k1\) must be base64 of exactly 32 random bytes/);
    expect(problem(`k1:${short}`)).not.toContain(short);
    expect(problem(`${k1},nocolon`)).toMatch(/entry 2 must be id:<base64/);
    expect(problem(`${k1},${k1}`)).toMatch(/key id k1 appears twice/);
    expect(problem(' , ')).toMatch(/holds no key/);
  });

  it('is required in production, with a message saying how to make one', () => {
    const config = parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    expect(() => secretsKeyring(config)).toThrow(ConfigError);
    expect(() => secretsKeyring(config)).toThrow(/DVMM_SECRETS_KEYS must be set when NODE_ENV=production.*openssl rand -base64 32/);
    expect(secretsKeyring(parseConfig({ NODE_ENV: 'production', DVMM_SECRETS_KEYS: `${k2},${k1}` })).current.id).toBe('k2');
  });

  it('in development without it, is generated once per data folder beside it (mode 0600) and kept', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'dvmm-secrets-')), '.data');
    const first = secretsKeyring(parseConfig({ DVMM_DATA_DIR: dataDir }));
    const file = devSecretsKeyFile(dataDir);
    expect(file).toBe(`${dataDir}.secrets-key`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = secretsKeyring(parseConfig({ DVMM_DATA_DIR: dataDir }));
    expect(second.current.key.equals(first.current.key)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^dev:/);
    // What one start encrypted, the next opens.
    const stored = createSecretBox(first).encrypt('pw', 'c');
    expect(createSecretBox(second).decrypt(stored, 'c')).toBe('pw');
  });
});
