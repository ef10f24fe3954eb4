import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Principal } from '../../domain/principal.ts';
import { parseBearer } from './bearer.ts';
import { principalFromClaims } from './claims.ts';
import type { AuthConfig } from './config.ts';

export type AuthFailureReason = 'missing' | 'malformed' | 'expired' | 'invalid' | 'claims' | 'unavailable';

export type AuthResult =
  | { ok: true; principal: Principal; /** When the token expires (ms since the epoch). */ expiresAt: number }
  | { ok: false; reason: AuthFailureReason; message: string };

export interface Authenticator {
  /** Checks an `Authorization` header value (`Bearer <JWT>`). Never throws. */
  authenticate(authorization: string | null | undefined): Promise<AuthResult>;
  /** One line for the startup log: which keys are trusted and which claims are checked. */
  describe(): string;
}

const SYMMETRIC = ['HS256'];
// Verified tokens remembered per process: a signature check costs more than the rest of a small request.
const CACHE_SIZE = 10_000;
const ASYMMETRIC = ['RS256', 'ES256'];
// Tolerates small clock differences between the issuer and this host.
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Verifies tokens the way api.md says: HS256 with the shared secret, RS256/ES256 against the JWKS, and `iss`/`aud`
 * when configured. Each key type has its own algorithm list, so a token cannot pick the algorithm that a key is
 * checked with (no `none`, no HS256 signed with an RSA public key). `exp` is required: a token that never expires
 * is refused.
 */
export function createAuthenticator(config: AuthConfig): Authenticator {
  if (!config.secret && !config.jwksUrl) throw new Error('auth needs a secret or a JWKS URL');
  const secret = config.secret ? new TextEncoder().encode(config.secret) : undefined;
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const checks: JWTVerifyOptions = {
    requiredClaims: ['exp'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };

  const verify = async (token: string): Promise<JWTPayload> => {
    const alg = decodeProtectedHeader(token).alg ?? '';
    if (secret && SYMMETRIC.includes(alg)) {
      return (await jwtVerify(token, secret, { ...checks, algorithms: SYMMETRIC })).payload;
    }
    if (jwks) return (await jwtVerify(token, jwks, { ...checks, algorithms: ASYMMETRIC })).payload;
    // Only a secret is configured: let jose refuse the algorithm (`none`, RS256, ...) with its usual error.
    return (await jwtVerify(token, secret!, { ...checks, algorithms: SYMMETRIC })).payload;
  };

  // Keyed by the whole token (signature included), so only a byte-identical, already verified token hits. A hit is
  // still refused from its expiry on (then verified again, which reports it as expired).
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  const remember = (token: string, entry: { principal: Principal; expiresAt: number }): void => {
    if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(token, entry);
  };

  return {
    async authenticate(authorization) {
      if (authorization === null || authorization === undefined || authorization.trim() === '') {
        return failure('missing', 'Authentication required: send Authorization: Bearer <token>');
      }
      const token = parseBearer(authorization);
      if (!token) return failure('malformed', 'The Authorization header must be "Bearer <token>"');
      const known = verified.get(token);
      if (known && Date.now() < known.expiresAt) return { ok: true, ...known };
      if (known) verified.delete(token);
      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        return classify(error);
      }
      const claims = principalFromClaims(payload);
      if (!claims.ok) return failure('claims', claims.message);
      const entry = { principal: claims.principal, expiresAt: (payload.exp ?? 0) * 1000 };
      remember(token, entry);
      return { ok: true, ...entry };
    },
    describe() {
      const keys = [secret ? `HS256 (${config.secretSource ?? 'secret'})` : '', jwks ? `RS256/ES256 via ${config.jwksUrl}` : '']
        .filter(Boolean)
        .join(' + ');
      const claims = [config.issuer ? `iss=${config.issuer}` : '', config.audience ? `aud=${config.audience}` : '']
        .filter(Boolean)
        .join(', ');
      return `${keys}${claims ? `, checking ${claims}` : ''}`;
    },
  };
}

function failure(reason: AuthFailureReason, message: string): AuthResult {
  return { ok: false, reason, message };
}

function classify(error: unknown): AuthResult {
  if (error instanceof errors.JWTExpired) return failure('expired', 'The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return failure('claims', `The token's ${error.claim} claim is not accepted`);
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || isFetchFailure(error)) {
    // The key server is down or slow: the caller is not at fault, but we cannot let them in either.
    return failure('unavailable', 'The token could not be verified right now; try again');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || !(error instanceof errors.JOSEError)) {
    // decodeProtectedHeader throws plain errors for text that is not a JWT at all.
    return failure('malformed', 'The token is not a valid JWT');
  }
  return failure('invalid', 'The token is not accepted (signature, algorithm or key)');
}

function isFetchFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch/i.test(error.message);
}
