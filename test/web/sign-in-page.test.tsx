// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryLocation } from 'wouter/memory-location';
import { Router } from 'wouter';
import { SignInPage } from '../../web/src/auth/sign-in-page.tsx';
import { currentSession, signOut } from '../../web/src/auth/session.ts';

// A token the page can read (its signature is the API's business): alice of acme, valid for an hour.
function token(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(claims)}.signature`;
}

afterEach(() => {
  cleanup();
  signOut();
  vi.unstubAllGlobals();
});

function serve(routes: Record<string, unknown>) {
  vi.stubGlobal('fetch', async (url: string) => {
    const body = routes[new URL(url, 'http://localhost').pathname];
    return new Response(JSON.stringify(body ?? { error: 'Not found' }), { status: body ? 200 : 404 });
  });
}

describe('the development sign-in page', () => {
  it('lists the demo users and signs in as the one clicked, then goes where the user was headed', async () => {
    const alice = token({ sub: 'alice', tenant_id: 'acme', roles: ['user'], name: 'Alice', exp: Math.floor(Date.now() / 1000) + 3600 });
    serve({ '/auth/config': { devSignIn: true, oidc: null }, '/auth/dev-users': { users: [{ id: 'alice', label: 'alice (user)', token: alice }] } });
    const location = memoryLocation({ path: '/sign-in?next=/requests/new', record: true });
    render(
      <Router hook={location.hook} searchHook={location.searchHook}>
        <SignInPage />
      </Router>,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Sign in as alice (user)' }));
    expect(currentSession()?.claims).toMatchObject({ sub: 'alice', tenantId: 'acme', roles: ['user'], name: 'Alice' });
    expect(location.history.at(-1)).toBe('/requests/new');
  });

  it('never follows a next that leaves the site', async () => {
    const alice = token({ sub: 'alice', tenant_id: 'acme', roles: ['user'], exp: Math.floor(Date.now() / 1000) + 3600 });
    serve({ '/auth/config': { devSignIn: true, oidc: null }, '/auth/dev-users': { users: [{ id: 'alice', label: 'alice (user)', token: alice }] } });
    const location = memoryLocation({ path: '/sign-in?next=//evil.example/x', record: true });
    render(
      <Router hook={location.hook} searchHook={location.searchHook}>
        <SignInPage />
      </Router>,
    );
    await userEvent.click(await screen.findByRole('button', { name: /alice/ }));
    expect(location.history.at(-1)).toBe('/');
  });

  it('offers the identity provider the server names, and says so when it cannot be reached', async () => {
    const oidc = { authority: 'http://127.0.0.1:9/realms/dvmm', clientId: 'dvmm-portal', scope: 'openid profile email', name: 'Acme SSO' };
    // The provider's discovery document is not served here, as when the provider is down.
    serve({ '/auth/config': { devSignIn: false, oidc } });
    render(
      <Router hook={memoryLocation({ path: '/sign-in' }).hook}>
        <SignInPage />
      </Router>,
    );
    const button = await screen.findByRole('button', { name: 'Sign in with Acme SSO' });
    expect(screen.getAllByRole('button')).toHaveLength(1);
    await userEvent.click(button);
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Signing in is not possible right now: /);
    expect((button as HTMLButtonElement).disabled).toBe(false);
    expect(currentSession()).toBeNull();
  });

  it('offers no demo users where the server has none (production)', async () => {
    serve({ '/auth/config': { devSignIn: false, oidc: null } });
    render(
      <Router hook={memoryLocation({ path: '/sign-in' }).hook}>
        <SignInPage />
      </Router>,
    );
    expect(await screen.findByText('No sign-in method is configured on this server.')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
