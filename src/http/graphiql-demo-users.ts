import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { DevToken } from './dev-tokens.ts';
import { json } from './ops-routes.ts';

/**
 * What GET /graphiql/demo-users (GraphiQL's picker) and GET /auth/dev-users (the portal's development sign-in) answer:
 * a token per demo user, and the header that carries it as `npm start` prints it.
 */
export interface DemoUsers {
  users: { id: string; label: string; token: string; headers: string }[];
}

/**
 * The demo users' headers for GraphiQL's picker, to a browser on this machine only. The development server listens
 * on every interface by default, and these are bearer tokens (one of an admin): `npm start` shows them only in its
 * own terminal, so the page gets them only over the loopback, and only under a loopback host name, so that a page
 * of another site whose name was pointed at 127.0.0.1 (DNS rebinding) cannot read them either.
 */
export async function demoUsersResponse(
  req: IncomingMessage,
  res: ServerResponse,
  demoUsers: () => Promise<readonly DevToken[] | null>,
): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress) || !isLoopbackHost(req.headers.host)) {
    return json(res, 403, { error: 'offered on this machine only: open http://localhost:<port>/ on the machine running the server, or use a token npm start printed' });
  }
  const tokens = await demoUsers();
  if (!tokens) return json(res, 404, { error: 'tokens come from the identity provider (JWT_JWKS_URL)' });
  const body: DemoUsers = {
    users: tokens.map(({ principal, token, headers }) => ({
      id: principal.userId,
      label: `${principal.userId} (${principal.roles.join(', ') || 'no role'})`,
      token,
      headers,
    })),
  };
  json(res, 200, body);
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  return hostname === 'localhost' || hostname === '[::1]' || (isIP(hostname) === 4 && hostname.startsWith('127.'));
}
