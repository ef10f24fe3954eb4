import { currentSession, signOut } from './session.ts';

/** Ends the session here; a session from the OpenID Connect provider also ends there (oidc.ts). */
export async function signOutEverywhere(): Promise<void> {
  const session = currentSession();
  signOut();
  if (session?.via === 'oidc') {
    const { endProviderSession } = await import('./oidc.ts');
    await endProviderSession(session.token);
  }
}
