/**
 * OpenID Connect sign-in (authorization code with PKCE) through oidc-client-ts. Only imported dynamically (the sign-in
 * page, the callback, renewal, sign-out), so the development sign-in does not load it.
 */
import { UserManager, type User } from 'oidc-client-ts';
import { loadAuthConfig } from './auth-config.ts';
import { currentSession, signIn, signOut } from './session.ts';

let manager: Promise<UserManager> | undefined;

/**
 * One UserManager per page, for the provider GET /auth/config names. It keeps its user (ID token, refresh token) in
 * this tab's sessionStorage: each tab renews on its own, so two tabs never race to use one rotating refresh token.
 * A tab that only has the session from localStorage (opened later) gets the renewed token from the tab that
 * renews through the storage event (session.ts).
 */
function userManager(): Promise<UserManager> {
  manager ??= loadAuthConfig().then(({ oidc }) => {
    if (!oidc) throw new Error('The server names no OpenID Connect provider');
    const origin = window.location.origin;
    return new UserManager({
      authority: oidc.authority,
      client_id: oidc.clientId,
      scope: oidc.scope,
      redirect_uri: `${origin}/auth/callback`,
      post_logout_redirect_uri: `${origin}/sign-in`,
      response_type: 'code',
      // Renewal is scheduled below (keepRenewed), not by oidc-client-ts: its timer fires a fixed time before expiry
      // (60 s by default), which for short-lived access tokens means renewing again and again.
      automaticSilentRenew: false,
      // The access token is the API's JWT (aud = the API) and carries the profile; userinfo would refuse it.
      loadUserInfo: false,
    });
  });
  return manager;
}

/** Leaves for the provider's login; `next` is where to land after /auth/callback. */
export async function startSignIn(next: string): Promise<void> {
  await (await userManager()).signinRedirect({ state: { next } });
}

let completing: Promise<{ accessToken: string; next: string }> | undefined;

/**
 * On /auth/callback: exchanges the code (with the PKCE verifier) for tokens and returns the access token and where
 * the user was headed (the caller signs in and goes there in one step). Once per page load: a code is redeemed once.
 */
export function completeSignIn(): Promise<{ accessToken: string; next: string }> {
  completing ??= userManager()
    .then((users) => users.signinRedirectCallback())
    .then((user) => {
      const next = (user.state as { next?: unknown } | undefined)?.next;
      return { accessToken: user.access_token, next: typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/' };
    });
  return completing;
}

// Retry a failed renewal this often while the current token is still valid.
const RETRY_MS = 5_000;

/**
 * Renews the session's access token with the refresh_token grant before it expires, for as long as the returned
 * function is not called: when a quarter of its remaining lifetime is left, and at least a minute early where the
 * lifetime allows. Each new token goes through signIn, so the next API request and the next WebSocket connection
 * (the API closes a socket when its token expires) use it. A token that could not be renewed in time signs out.
 */
export function keepRenewed(): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (user: User) => {
    const remainingMs = (user.expires_in ?? 0) * 1000;
    wait(Math.max(remainingMs - 60_000, remainingMs * 0.75), renew);
  };
  const wait = (ms: number, then: () => void) => {
    if (!stopped) timer = setTimeout(then, Math.max(ms, 0));
  };
  const renew = () => {
    void userManager()
      .then((users) => users.signinSilent())
      .then((user) => {
        if (stopped || !user) return;
        signIn(user.access_token, 'oidc');
        schedule(user);
      })
      .catch(() => {
        if (stopped) return;
        const left = (currentSession()?.claims.expiresAt ?? 0) - Date.now();
        if (left > 0) wait(Math.min(RETRY_MS, left / 2), renew);
        else signOut();
      });
  };

  void userManager()
    .then((users) => users.getUser())
    .then((user) => {
      // No user in this tab (the session came from another tab's localStorage): that tab renews.
      if (user?.refresh_token) schedule(user);
    })
    .catch(() => {});
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Ends the session at the provider too (its end_session_endpoint), which sends the browser back to /sign-in. */
export async function endProviderSession(_token: string): Promise<void> {
  await (await userManager()).signoutRedirect();
}
