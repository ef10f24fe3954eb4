import { randomBytes } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { ConfigError } from '../config-error.ts';
import { besideDataFolder, readOrCreateOnce } from '../dev-files.ts';
import { KEY_BYTES, type Keyring, parseKeyring } from './keyring.ts';

export type SecretsSettings = Pick<Config, 'secrets' | 'production' | 'dataDir'>;

export const devSecretsKeyFile = (dataDir: string): string => besideDataFolder(dataDir, '.secrets-key');

/**
 * The keys stored secrets are encrypted with, never from the database (a dump of it must not open them):
 * DVMM_SECRETS_KEYS, else outside production a key generated once per data folder in `<DVMM_DATA_DIR>.secrets-key`
 * (as the development JWT secret and seal key are). Production without keys is a configuration error at start: a
 * tenant's password could be neither stored nor read.
 */
export function secretsKeyring(config: SecretsSettings): Keyring {
  if (config.secrets.keys) return parseKeyring(config.secrets.keys, 'DVMM_SECRETS_KEYS');
  if (config.production) {
    throw new ConfigError(
      'DVMM_SECRETS_KEYS must be set when NODE_ENV=production (it encrypts the tenants\' vCenter passwords): ' +
        `id:<base64 of ${KEY_BYTES} bytes>, e.g. k1:$(openssl rand -base64 ${KEY_BYTES})`,
    );
  }
  const file = devSecretsKeyFile(config.dataDir);
  return parseKeyring(readOrCreateOnce(file, () => `dev:${randomBytes(KEY_BYTES).toString('base64')}\n`), file);
}

/** The start-up line: which key encrypts, how many decrypt, from where. */
export const describeSecrets = (keyring: Keyring): string =>
  `[secrets] encrypting with key ${keyring.current.id} from ${keyring.source}` +
  (keyring.byId.size > 1 ? ` (${keyring.byId.size - 1} older key(s) still decrypt: npm run cli -- secrets:rotate)` : '');
