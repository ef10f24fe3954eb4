import { ConfigError } from '../config-error.ts';

/** One AES-256 key and the id stored beside everything it encrypts, so a reader knows which key opens it. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/** The keys of DVMM_SECRETS_KEYS: the first encrypts, every one decrypts (older keys stay until rotated away). */
export interface Keyring {
  current: SecretKey;
  byId: ReadonlyMap<string, SecretKey>;
  /** Where the keys came from, for the start-up line and messages (never the keys themselves). */
  source: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
export const KEY_BYTES = 32;

/**
 * Parses `id:<base64 of 32 bytes>,id:<...>`. A ConfigError names the first wrong entry by its position and id,
 * never repeating a key.
 */
export function parseKeyring(text: string, source: string): Keyring {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new ConfigError(`${source} holds no key: expected id:<base64 of ${KEY_BYTES} bytes>[,id:<...>]`);
  const keys: SecretKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const where = `${source} entry ${index + 1}`;
    if (!KEY_ID.test(id)) {
      throw new ConfigError(`${where} must be id:<base64 of ${KEY_BYTES} bytes>, the id being 1 to 32 letters, digits, - or _`);
    }
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) || key.length !== KEY_BYTES) {
      throw new ConfigError(`${where} (key ${id}) must be base64 of exactly ${KEY_BYTES} random bytes (openssl rand -base64 32)`);
    }
    if (keys.some((other) => other.id === id)) throw new ConfigError(`${where}: key id ${id} appears twice`);
    keys.push({ id, key });
  });
  return { current: keys[0]!, byId: new Map(keys.map((key) => [key.id, key])), source };
}
