/**
 * OpenID Connect sign-in (authorization code with PKCE) through oidc-client-ts. Loaded only when the server names a
 * provider, so the development sign-in does not ship it.
 */
export async function endProviderSession(_token: string): Promise<void> {
  throw new Error('OpenID Connect sign-in is not configured in this build');
}
