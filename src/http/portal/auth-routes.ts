import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DevToken } from '../dev-tokens.ts';
import { demoUsersResponse } from '../graphiql-demo-users.ts';
import { json } from '../ops-routes.ts';

/** The OpenID Connect client the portal signs in with (authorization code with PKCE; a public client). */
export interface PortalOidc {
  authority: string;
  clientId: string;
  scope: string;
  /** Shown on the sign-in button: "Sign in with <name>". */
  name: string;
}

export interface PortalAuth {
  /** The demo users' tokens for the development sign-in. Absent (always in production): /auth/dev-users is 404. */
  demoUsers?: () => Promise<readonly DevToken[] | null>;
  oidc?: PortalOidc | null;
}

export const AUTH_ROUTE_PREFIX = '/auth/';

/** The portal's page the provider redirects back to with the authorization code: the app's, not the API's. */
export const AUTH_CALLBACK_PAGE = '/auth/callback';

/** Paths under /auth/ the API answers; the callback page is the portal's (index.html, then its router). */
export const isAuthRoute = (path: string): boolean => path.startsWith(AUTH_ROUTE_PREFIX) && path !== AUTH_CALLBACK_PAGE;

/** GET /auth/config (how to sign in) and, in development, GET /auth/dev-users. Anything else under /auth/ is 404. */
export async function serveAuthRoute(req: IncomingMessage, res: ServerResponse, path: string, auth: PortalAuth): Promise<void> {
  if (path === '/auth/config') {
    res.setHeader('cache-control', 'no-store');
    return json(res, 200, { devSignIn: auth.demoUsers !== undefined, oidc: auth.oidc ?? null });
  }
  if (path === '/auth/dev-users' && auth.demoUsers) {
    res.setHeader('cache-control', 'no-store');
    return demoUsersResponse(req, res, auth.demoUsers);
  }
  return json(res, 404, { error: 'Not found' });
}
