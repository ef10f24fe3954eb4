import { ConfigError } from '../../config-error.ts';
import { devSecret } from './dev-secret.ts';

/** How tokens are verified. At least one of `secret` and `jwksUrl` is set. */
export type AuthConfig = {
  /** HS256 shared secret (JWT_SECRET). */
  secret?: string;
  /** Public keys for RS256 / ES256 tokens, e.g. Keycloak's `.../protocol/openid-connect/certs` (JWT_JWKS_URL). */
  jwksUrl?: string;
  /** Required `iss` when set (JWT_ISSUER). */
  issuer?: string;
  /** Required `aud` when set (JWT_AUDIENCE). */
  audience?: string;
  /** Where the secret came from, for the startup log. */
  secretSource?: 'JWT_SECRET' | 'dev secret file' | 'options';
  /** File holding the generated development secret, when that is the source. */
  devSecretFile?: string;
};

export type AuthEnvOptions = {
  /** Default: DVMM_DATA_DIR, else `.data`; the development secret lives next to it. */
  dataDir?: string;
};

// HS256 keys shorter than the hash output weaken the MAC; refuse them rather than run with a guessable secret.
const MIN_SECRET_BYTES = 32;

/**
 * Reads JWT_SECRET, JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE. Without JWT_SECRET and JWT_JWKS_URL, development
 * runs use a random secret generated once per data folder (so `npm run token` and the server agree); production
 * (NODE_ENV=production) refuses to start instead.
 */
export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env, options: AuthEnvOptions = {}): AuthConfig {
  const secret = nonEmpty(env.JWT_SECRET);
  const jwksUrl = nonEmpty(env.JWT_JWKS_URL);
  const common = {
    ...(nonEmpty(env.JWT_ISSUER) ? { issuer: nonEmpty(env.JWT_ISSUER) } : {}),
    ...(nonEmpty(env.JWT_AUDIENCE) ? { audience: nonEmpty(env.JWT_AUDIENCE) } : {}),
  };
  if (jwksUrl) assertUrl(jwksUrl);
  if (secret) {
    assertSecret(secret);
    return { secret, secretSource: 'JWT_SECRET', ...(jwksUrl ? { jwksUrl } : {}), ...common };
  }
  if (jwksUrl) return { jwksUrl, ...common };
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production');
  }
  const dev = devSecret(options.dataDir ?? env.DVMM_DATA_DIR ?? '.data');
  return { secret: dev.secret, secretSource: 'dev secret file', devSecretFile: dev.file, ...common };
}

export function assertSecret(secret: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`);
  }
}

function assertUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`JWT_JWKS_URL is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('JWT_JWKS_URL must be an http(s) URL');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
