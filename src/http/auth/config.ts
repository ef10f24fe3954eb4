import type { Config } from '../../config/index.ts';
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

/**
 * The token keys of the configuration (JWT_SECRET, JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, each checked by
 * src/config/). Without JWT_SECRET and JWT_JWKS_URL, development runs use a random secret generated once per data
 * folder (so `npm run token` and the server agree); production refuses to start instead.
 */
export function authConfig(config: Pick<Config, 'auth' | 'production' | 'dataDir'> & { oidc?: Config['oidc'] }): AuthConfig {
  const { secret, jwksUrl, issuer, audience } = config.auth;
  const common = { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
  if (secret) return { secret, secretSource: 'JWT_SECRET', ...(jwksUrl ? { jwksUrl } : {}), ...common };
  if (jwksUrl) return { jwksUrl, ...common };
  if (config.production) {
    // The provider's keys are not fetched from its discovery document at start: an explicit JWT_JWKS_URL says which
    // keys this API trusts, and a provider that is down does not stop the API from starting.
    const hint = config.oidc ? ` (with OIDC_ISSUER: JWT_JWKS_URL is the jwks_uri in ${config.oidc.authority.replace(/\/$/, '')}/.well-known/openid-configuration)` : '';
    throw new ConfigError(`JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production${hint}`);
  }
  const dev = devSecret(config.dataDir);
  return { secret: dev.secret, secretSource: 'dev secret file', devSecretFile: dev.file, ...common };
}
