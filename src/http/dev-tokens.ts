import type { Principal } from '../domain/principal.ts';
import type { AuthConfig } from './auth.ts';
import { mintToken } from './auth.ts';

export interface DevToken {
  principal: Principal;
  token: string;
  /** Ready to paste into GraphiQL's Headers tab. */
  headers: string;
}

/** Tokens for the given users, signed with the configured HS256 secret; null when only a JWKS is configured. */
export async function devTokens(config: AuthConfig, principals: readonly Principal[], expiresIn = '12h'): Promise<DevToken[] | null> {
  const { secret } = config;
  if (!secret) return null;
  return Promise.all(
    principals.map(async (principal) => {
      const token = await mintToken(
        {
          sub: principal.userId,
          tenant: principal.tenantId,
          roles: principal.roles,
          ...(principal.email ? { email: principal.email } : {}),
          ...(principal.name ? { name: principal.name } : {}),
          expiresIn,
        },
        { secret, ...(config.issuer ? { issuer: config.issuer } : {}), ...(config.audience ? { audience: config.audience } : {}) },
      );
      return { principal, token, headers: JSON.stringify({ Authorization: `Bearer ${token}` }) };
    }),
  );
}

/** The lines `npm start` prints: where the portal and GraphiQL are, and a header per demo user. */
export function devTokenBanner(graphiqlUrl: string, tokens: readonly DevToken[] | null): string {
  const portalUrl = new URL('/', graphiqlUrl).href;
  const signIn = tokens ? ` (sign in as ${tokens.map(({ principal }) => principal.userId).join(' or ')})` : '';
  const lines = ['', `Portal: ${portalUrl}${signIn}`, `GraphiQL: ${graphiqlUrl}`];
  if (!tokens) {
    lines.push('Tokens come from your identity provider (JWT_JWKS_URL); none are printed.');
    return lines.join('\n');
  }
  lines.push('GraphiQL offers these users under "Sign in as"; elsewhere paste one into the Headers tab (valid 12 h; `npm run token` mints more):');
  for (const { principal, headers } of tokens) {
    lines.push('', `  ${principal.userId} (${principal.roles.join(', ') || 'no role'}, tenant ${principal.tenantId}):`, `  ${headers}`);
  }
  lines.push('');
  return lines.join('\n');
}
