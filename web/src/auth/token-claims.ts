/** The claims the portal reads from an access token: who it names and when it expires. */
export interface TokenClaims {
  sub: string;
  tenantId: string;
  roles: string[];
  name?: string;
  email?: string;
  /** Expiry, in ms since the epoch. */
  expiresAt: number;
}

/**
 * Reads a JWT's payload without checking its signature: the API checks it on every request, the page only needs to
 * know whose session this is and when to renew it.
 */
export function readTokenClaims(token: string): TokenClaims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    if (typeof payload.sub !== 'string' || typeof payload.tenant_id !== 'string' || typeof payload.exp !== 'number') return null;
    return {
      sub: payload.sub,
      tenantId: payload.tenant_id,
      roles: Array.isArray(payload.roles) ? payload.roles.filter((role): role is string => typeof role === 'string') : [],
      ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      expiresAt: payload.exp * 1000,
    };
  } catch {
    return null;
  }
}
