/** What GET /auth/config tells the page about signing in (see src/http/auth-routes.ts). */
export interface AuthConfig {
  /** The development sign-in with the demo users (never in production). */
  devSignIn: boolean;
  /** OpenID Connect provider for the authorization code flow with PKCE, when one is configured. */
  oidc: { authority: string; clientId: string; scope: string } | null;
}

let loading: Promise<AuthConfig> | undefined;

export function loadAuthConfig(): Promise<AuthConfig> {
  loading ??= fetch('/auth/config', { headers: { accept: 'application/json' } }).then(async (response) => {
    if (!response.ok) throw new Error(`GET /auth/config answered ${response.status}`);
    return (await response.json()) as AuthConfig;
  });
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
