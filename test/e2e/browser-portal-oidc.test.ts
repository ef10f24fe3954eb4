import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { authConfig } from '../../src/http/auth/config.ts';
import { portalSignInMethods } from '../../src/http/portal/sign-in-methods.ts';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';
import { alice, bob } from '../support/personas.ts';
import { seriousAccessibilityViolations } from '../support/portal.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ViewerDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';

// Production sign-in, end to end: the server wired as main.ts wires it with NODE_ENV=production (access tokens
// verified against the provider's JWKS, single sign-on offered, no demo users), a real OpenID Connect provider
// (oidc-provider) with a short access token lifetime, and a real Chromium signing in as a person does.

const chromiumPath = chromiumForTests();
const ACCESS_TOKEN_TTL_S = 20;
const PASSWORDS = { alice: 'correct horse', bob: 'battery staple' };

describe.skipIf(chromiumPath === null)('the portal signing in with OpenID Connect', () => {
  let idp: TestOidcProvider;
  let server: TestServer;
  let browser: Browser;
  let watched: WatchedPage;

  beforeAll(async () => {
    idp = await startOidcProvider({
      accounts: [
        { principal: alice, password: PASSWORDS.alice },
        { principal: bob, password: PASSWORDS.bob },
      ],
      accessTokenTtl: ACCESS_TOKEN_TTL_S,
    });
    const config = parseConfig({
      NODE_ENV: 'production',
      JWT_JWKS_URL: idp.jwksUrl,
      JWT_ISSUER: idp.issuer,
      JWT_AUDIENCE: idp.audience,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_PROVIDER_NAME: 'Acme SSO',
    });
    server = await startTestServer({
      auth: authConfig(config),
      portalAuth: portalSignInMethods(config, () => Promise.reject(new Error('production has no demo users'))),
    });
    idp.allowPortal(server.origin);
    browser = await launchChromium(chromiumPath!);
    watched = await openPage(browser);
  });

  afterAll(async () => {
    await watched?.close();
    await browser?.close();
    await server?.close();
    await idp?.close();
  });

  it('offers single sign-on and no demo users: /auth/dev-users does not exist', async () => {
    const devUsers = await fetch(`${server.origin}/auth/dev-users`, { headers: { accept: 'application/json' } });
    expect(devUsers.status).toBe(404);
    const config = (await (await fetch(`${server.origin}/auth/config`)).json()) as Record<string, unknown>;
    expect(config).toEqual({ devSignIn: false, oidc: { authority: idp.issuer, clientId: idp.clientId, scope: 'openid profile email', name: 'Acme SSO' } });
    // The provider's redirect lands on the portal's page (its router handles /auth/callback), not on an API 404.
    const callback = await fetch(`${server.origin}/auth/callback?code=x&state=y`, { headers: { accept: 'text/html' } });
    expect([callback.status, callback.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  });

  it('signs bob in at the provider, renews his access token past its lifetime, and signs him out there too', async () => {
    const { page, outsideRequests, errors } = watched;
    onTestFailed(async () => {
      console.log(`failed at ${page.url()}; page errors: ${JSON.stringify(errors)}; server: ${server.logs.slice(-10).join(' | ')}`);
      console.log(`screenshot: ${await screenshot(page, 'oidc-failed')}`);
    });

    // A protected page sends a signed-out visitor to the sign-in page, which offers the provider only.
    await page.goto(`${server.origin}/approvals`);
    await page.waitForURL(`${server.origin}/sign-in?next=%2Fapprovals`);
    const signInWithSso = page.getByRole('button', { name: 'Sign in with Acme SSO' });
    await signInWithSso.waitFor();
    expect(await page.getByRole('button').count()).toBe(1);
    expect(await page.getByText('Development users').count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'oidc-1-sign-in')}`);

    // oidc-client-ts (the oidc chunk) loads when the user picks the provider, not with the page.
    const oidcChunkLoaded = () => page.evaluate(() => performance.getEntriesByType('resource').some((entry) => /\/assets\/oidc-[^/]*\.js$/.test(entry.name)));
    expect(await oidcChunkLoaded()).toBe(false);
    await signInWithSso.click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await logInAtProvider(page, 'bob');
    console.log(`screenshot: ${await screenshot(page, 'oidc-2-provider-login')}`);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Back at the page bob was headed for, signed in as the admin he is, with the live connection up.
    await page.waitForURL(`${server.origin}/approvals`);
    const header = page.getByRole('banner');
    await header.getByText('Bob (admin)').waitFor();
    await page.locator('[data-connection="live"]').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).waitFor();
    console.log(`screenshot: ${await screenshot(page, 'oidc-3-signed-in')}`);
    // The callback page did load it (so the check above looks for the right file).
    expect(await oidcChunkLoaded()).toBe(true);

    // The session's token is the provider's access token, and the API takes it.
    const first = await sessionToken(page);
    expect(claimsOf(first)).toMatchObject({ iss: idp.issuer, aud: idp.audience, sub: 'bob', tenant_id: 'acme', roles: ['admin'], name: 'Bob' });
    const viewer = dataOf(await http(server.url, first, ViewerDocument)).viewer;
    expect(viewer).toMatchObject({ tenantId: 'acme', name: 'Bob', email: 'bob@acme.test' });

    // Past the first token's lifetime: the page holds a newer token from the refresh_token grant, with no new login.
    const firstExpiry = (claimsOf(first).exp as number) * 1000;
    await expect
      .poll(async () => ({ renewed: (await sessionToken(page)) !== first, pastExpiry: Date.now() > firstExpiry + 5_000 }), {
        timeout: (ACCESS_TOKEN_TTL_S + 30) * 1000,
        interval: 1_000,
      })
      .toEqual({ renewed: true, pastExpiry: true });
    expect(idp.counts.refreshed).toBeGreaterThanOrEqual(1);
    expect((await http(server.url, first, ViewerDocument)).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
    const renewed = await sessionToken(page);
    expect(claimsOf(renewed)).toMatchObject({ sub: 'bob', tenant_id: 'acme', roles: ['admin'] });
    expect(dataOf(await http(server.url, renewed, ViewerDocument)).viewer).toMatchObject({ name: 'Bob' });
    // The page carries on with it: the API closed the socket of the expired token, and it is live again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
    await page.waitForURL(`${server.origin}/projects`);
    await page.locator('[data-connection="live"]').waitFor();
    expect(page.url()).toBe(`${server.origin}/projects`);

    // Signing out ends the provider's session as well, and lands on the sign-in page.
    await header.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    console.log(`screenshot: ${await screenshot(page, 'oidc-4-provider-sign-out')}`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.origin === server.origin && url.pathname === '/sign-in');
    expect(idp.counts.sessionsEnded).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('dvmm.session'))).toBeNull();
    await page.goto(`${server.origin}/projects`);
    await page.waitForURL(`${server.origin}/sign-in?next=%2Fprojects`);
    // The provider asks for the password again: its session is gone.
    await page.getByRole('button', { name: 'Sign in with Acme SSO' }).click();
    await page.getByLabel('Password').waitFor();
    console.log(`screenshot: ${await screenshot(page, 'oidc-5-login-again')}`);

    expect(outsideRequests).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);
});

async function logInAtProvider(page: Page, user: keyof typeof PASSWORDS): Promise<void> {
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(PASSWORDS[user]);
}

async function sessionToken(page: Page): Promise<string> {
  const stored = await page.evaluate(() => localStorage.getItem('dvmm.session'));
  const token = (JSON.parse(stored ?? 'null') as { token?: string; via?: string } | null)?.token;
  if (!token) throw new Error('no session in localStorage');
  return token;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
