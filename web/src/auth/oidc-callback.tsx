import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { signIn } from './session.ts';

/** /auth/callback: where the provider sends the browser back with the authorization code. */
export function OidcCallback() {
  const [, navigate] = useLocation();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    import('./oidc.ts')
      .then((oidc) => oidc.completeSignIn())
      .then(({ accessToken, next }) => {
        // Together, so the page goes straight to `next` signed in (no sign-in redirect, no not-found in between).
        signIn(accessToken, 'oidc');
        navigate(next, { replace: true });
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, [navigate]);

  return (
    <main id="main" className="sign-in">
      <h1>{error ? 'Sign-in failed' : 'Signing in…'}</h1>
      {error ? (
        <>
          <p role="alert" className="error">
            The identity provider's answer could not be used: {error}
          </p>
          <p>
            <Link href="/sign-in">Try signing in again</Link>
          </p>
        </>
      ) : (
        <p role="status">Completing the sign-in with your identity provider.</p>
      )}
    </main>
  );
}
