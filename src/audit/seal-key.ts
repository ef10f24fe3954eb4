import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import { ConfigError } from '../config-error.ts';
import { besideDataFolder, readOrCreateOnce } from '../dev-files.ts';

/** The Ed25519 key seals are signed with, and where it came from (for the start-up line). */
export interface SealKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex digits of SHA-256 over the public key (SPKI DER): names the key inside every seal. */
  keyId: string;
  source: string;
}

export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);

export const publicKeyPem = (key: SealKey | KeyObject): string =>
  ('publicKey' in key ? key.publicKey : key).export({ type: 'spki', format: 'pem' }).toString();

/** A PKCS#8 Ed25519 private key from PEM text or from base64 of its DER bytes; a ConfigError names `source` if not. */
export function parsePrivateKey(text: string, source: string): SealKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  try {
    privateKey = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey({ key: trimmed, format: 'pem' })
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new ConfigError(`${source} is not a PKCS#8 private key (PEM, or base64 of DER): ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`${source} must be an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'an unknown type'}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), source };
}

/** A public key (SPKI PEM) given to verify seals with, e.g. on a machine that never sees the private key. */
export function parsePublicKey(text: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text.trim(), format: 'pem' });
  } catch (error) {
    throw new Error(`${source} is not a PEM public key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${source} must be an Ed25519 public key`);
  return key;
}

/** The part of the configuration (src/config/) that says where the seal key comes from. */
export type SealKeySettings = Pick<Config, 'sealing' | 'production' | 'dataDir'>;

export interface SealKeyConfig {
  /** The key, or null: chain without seals (production without a key). */
  key: SealKey | null;
  /** Why there is no key, for the start-up warning. */
  missing?: string;
}

/**
 * The seal key, never from the database (whoever can rewrite the log must not be able to sign for it):
 * `DVMM_SEAL_KEY` (PEM or base64 PKCS#8), else the file `DVMM_SEAL_KEY_FILE`, else outside production a key
 * generated once per data folder in `<DVMM_DATA_DIR>.seal-key`, as the development JWT secret is. Production
 * without a key runs without seals (the chain is still kept) and says so.
 */
export function sealKey(config: SealKeySettings): SealKeyConfig {
  const { key, keyFile } = config.sealing;
  if (key) return { key: parsePrivateKey(key, 'DVMM_SEAL_KEY') };
  if (keyFile) return { key: parsePrivateKey(readText(keyFile, 'DVMM_SEAL_KEY_FILE'), keyFile) };
  if (config.production) return { key: null, missing: 'neither DVMM_SEAL_KEY nor DVMM_SEAL_KEY_FILE is set' };
  const devFile = devSealKeyFile(config.dataDir);
  return { key: parsePrivateKey(devSealKey(devFile), devFile) };
}

export const devSealKeyFile = (dataDir: string): string => besideDataFolder(dataDir, '.seal-key');

/** Reads the development key, creating it first if needed. */
function devSealKey(file: string): string {
  return readOrCreateOnce(file, () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

function readText(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${file}: ${(error as Error).message}`);
  }
}
