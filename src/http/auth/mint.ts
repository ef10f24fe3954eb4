import { SignJWT } from 'jose';
import type { Role } from '../../domain/principal.ts';

export type TokenClaims = {
  sub: string;
  tenant: string;
  roles: readonly Role[];
  email?: string;
  name?: string;
  /** A jose time span ('8h', '30 days') or seconds from now. Default '8h'. */
  expiresIn?: string | number;
};

export type MintOptions = {
  /** The HS256 secret the server verifies with. */
  secret: string;
  issuer?: string;
  audience?: string;
};

/** Signs an HS256 token with the claims api.md names (sub, tenant_id, roles, email, name). For dev and tests. */
export async function mintToken(claims: TokenClaims, options: MintOptions): Promise<string> {
  const expiresIn = claims.expiresIn ?? '8h';
  let jwt = new SignJWT({
    tenant_id: claims.tenant,
    roles: [...claims.roles],
    ...(claims.email ? { email: claims.email } : {}),
    ...(claims.name ? { name: claims.name } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
