import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';

const PREFIX = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A stored secret that cannot be opened: its key is not among the configured ones, or it was altered (GCM's tag
 * does not match). Callers report it as a failure of that one secret; it never takes the process down.
 */
export class SecretUnreadableError extends Error {
  constructor(
    message: string,
    readonly keyId: string | null,
  ) {
    super(message);
    this.name = 'SecretUnreadableError';
  }
}

/**
 * AES-256-GCM with a random 96-bit nonce per encryption. The text stored is `v1:<key id>:<base64 of nonce, tag and
 * ciphertext>`. `context` is bound as associated data (e.g. the tenant a password belongs to), so a ciphertext
 * copied to another row does not open there.
 */
export interface SecretBox {
  encrypt(plaintext: string, context: string): string;
  /** Throws SecretUnreadableError for an unknown key, a malformed text or a tampered one. */
  decrypt(stored: string, context: string): string;
  /** The key id a stored text was encrypted with (null when it is not one of ours). */
  keyIdOf(stored: string): string | null;
  /** The key new secrets are encrypted with. */
  readonly currentKeyId: string;
}

export function createSecretBox(keyring: Keyring): SecretBox {
  const parts = (stored: string): [string, string] | null => {
    const [prefix, keyId, payload, ...rest] = stored.split(':');
    if (prefix !== PREFIX || !keyId || !payload || rest.length > 0) return null;
    return [keyId, payload];
  };
  return {
    currentKeyId: keyring.current.id,
    encrypt(plaintext, context) {
      const { id, key } = keyring.current;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${PREFIX}:${id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(stored, context) {
      const found = parts(stored);
      if (!found) throw new SecretUnreadableError('The stored secret is not in a format this server knows', null);
      const [keyId, payload] = found;
      const secretKey = keyring.byId.get(keyId);
      if (!secretKey) {
        throw new SecretUnreadableError(
          `The stored secret was encrypted with key ${keyId}, which is not in ${keyring.source}: add it back (after the current key) until secrets:rotate has run`,
          keyId,
        );
      }
      const bytes = Buffer.from(payload, 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretUnreadableError('The stored secret is truncated', keyId);
      try {
        const decipher = createDecipheriv('aes-256-gcm', secretKey.key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadableError(
          `The stored secret does not open with key ${keyId}: it was altered, or that key id now names another key`,
          keyId,
        );
      }
    },
    keyIdOf(stored) {
      return parts(stored)?.[0] ?? null;
    },
  };
}
