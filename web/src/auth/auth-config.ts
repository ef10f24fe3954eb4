/** What GET /auth/config tells the page about signing in (see src/http/portal/auth-routes.ts). */
export interface AuthConfig {
  /** The development sign-in with the demo users (never in production). */
  devSignIn: boolean;
  /** OpenID Connect provider for the authorization code flow with PKCE, when one is configured. */
  oidc: OidcConfig | null;
}

/** The provider and the portal's client there (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_SCOPE, OIDC_PROVIDER_NAME). */
export interface OidcConfig {
  authority: string;
  clientId: string;
  scope: string;
  name: string;
}

export async function loadAuthConfig(): Promise<AuthConfig> {
  const response = await fetch('/auth/config', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /auth/config answered ${response.status}`);
  return (await response.json()) as AuthConfig;
}
