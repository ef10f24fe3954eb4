import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Principal } from '../../src/domain/principal.ts';

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 for the portal's sign-in tests: the portal as a public
 * client (authorization code, PKCE required, refresh tokens), access tokens for the API as RS256 JWTs (resource
 * indicators) carrying what the API reads (sub, tenant_id, roles, email, name), and a login page of its own that a
 * browser fills in as a person would.
 *
 * Started in two steps, as the portal's client needs the server's origin and the server needs the provider's issuer:
 * `startOidcProvider` listens (the issuer and JWKS URL are known), `allowPortal(origin)` then registers the client.
 */
export interface TestOidcProvider {
  /** http://127.0.0.1:port: the issuer (OIDC_ISSUER, JWT_ISSUER) and authority. */
  issuer: string;
  /** The provider's jwks_uri (JWT_JWKS_URL). */
  jwksUrl: string;
  /** The audience of its access tokens (JWT_AUDIENCE): the API as a resource indicator. */
  audience: string;
  clientId: string;
  /** Registers the portal at `origin` (redirect to /auth/callback, back to /sign-in after sign-out); once. */
  allowPortal(origin: string): void;
  /** How many refresh_token grants it answered, and how many sessions ended through its end_session_endpoint. */
  counts: { refreshed: number; sessionsEnded: number };
  close(): Promise<void>;
}

export interface TestOidcAccount {
  principal: Principal;
  password: string;
}

export interface TestOidcProviderOptions {
  accounts: readonly TestOidcAccount[];
  /** Access token lifetime in seconds (default 20, so renewal shows within a test). */
  accessTokenTtl?: number;
}

const CLIENT_ID = 'dvmm-portal';
const AUDIENCE = 'urn:dvmm:api';

export async function startOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503).end('the portal is not registered yet');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map(options.accounts.map((account) => [account.principal.userId, account]));
  const counts = { refreshed: 0, sessionsEnded: 0 };

  const allowPortal = (origin: string) => {
    if (handler) throw new Error('the portal is registered already');
    const provider = createProvider(issuer, origin, accounts, options.accessTokenTtl ?? 20);
    provider.on('grant.success', (ctx) => {
      if ((ctx as { oidc: { params: { grant_type?: string } } }).oidc.params.grant_type === 'refresh_token') counts.refreshed++;
    });
    provider.on('end_session.success', () => void counts.sessionsEnded++);
    const oidc = provider.callback();
    handler = (req, res) => {
      const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? '/', issuer).pathname);
      if (!interaction) return oidc(req, res);
      const login = interaction[2] !== undefined;
      handleInteraction(provider, accounts, req, res, login).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${(error as Error).message}`);
      });
    };
  };

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    audience: AUDIENCE,
    clientId: CLIENT_ID,
    allowPortal,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function createProvider(issuer: string, portalOrigin: string, accounts: Map<string, TestOidcAccount>, accessTokenTtl: number): Provider {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
  const principalOf = (accountId: string | undefined) => (accountId ? accounts.get(accountId)?.principal : undefined);

  return new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${portalOrigin}/auth/callback`],
        post_logout_redirect_uris: [`${portalOrigin}/sign-in`],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    findAccount: (_ctx: unknown, id: string) => {
      const principal = principalOf(id);
      if (!principal) return undefined;
      return { accountId: id, claims: () => ({ sub: id, name: principal.name, email: principal.email }) };
    },
    // The API's claims ride in the access token (a JWT for the API, see resourceIndicators).
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => {
      const principal = principalOf(token.accountId);
      if (!principal) return undefined;
      return { tenant_id: principal.tenantId, roles: principal.roles, email: principal.email, name: principal.name };
    },
    // The portal renews with the refresh_token grant. Without offline_access the refresh token lives as long as the
    // provider's session, so signing out there ends renewal too (the default issues one only for offline_access).
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: accessTokenTtl, IdToken: 3_600, RefreshToken: 3_600, Session: 3_600, Grant: 3_600, Interaction: 600 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource },
      // The portal asks for no resource: every authorization is for the API, whose access tokens are JWTs it
      // verifies against the provider's JWKS. useGrantedResource keeps the code's and refresh token's grants for it.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== AUDIENCE) throw new Error(`unknown resource ${resource}`);
          return { scope: 'api', audience: AUDIENCE, accessTokenTTL: accessTokenTtl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
  });
}

/**
 * The provider's login page (a labelled form) and, for the first-party portal, consent granted without asking, as
 * an organisation's provider is set up for its own apps.
 */
async function handleInteraction(provider: Provider, accounts: Map<string, TestOidcAccount>, req: IncomingMessage, res: ServerResponse, login: boolean) {
  const details = await provider.interactionDetails(req, res);
  if (login && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const account = accounts.get(form.get('username') ?? '');
    if (!account || account.password !== form.get('password')) return loginPage(res, details.uid, 'Wrong username or password.');
    return provider.interactionFinished(req, res, { login: { accountId: account.principal.userId } }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'login') return loginPage(res, details.uid, null);
  if (details.prompt.name !== 'consent' || !details.session) throw new Error(`unexpected prompt ${details.prompt.name}`);
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  if (!grant) throw new Error('grant not found');
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

function loginPage(res: ServerResponse, uid: string, error: string | null) {
  res.writeHead(error ? 401 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head><body>
<main><h1>Sign in to the test identity provider</h1>${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<button type="submit">Sign in</button></form></main></body></html>`);
}

// The default page loads a web font from Google; this one stays on the machine.
function logoutSource(ctx: { body: string }, form: string) {
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head><body><main>
<h1>Sign out of the test identity provider?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></main></body></html>`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
