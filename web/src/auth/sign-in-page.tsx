import { useEffect, useState } from 'react';
import { useLocation, useSearchParams } from 'wouter';
import { type AuthConfig, loadAuthConfig } from './auth-config.ts';
import { type DevUser, fetchDevUsers } from './dev-users.ts';
import { signIn } from './session.ts';

/** Where to go after signing in: a path of this site only, never another origin. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const [params] = useSearchParams();
  const [, navigate] = useLocation();
  const next = safeNext(params.get('next'));
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [users, setUsers] = useState<DevUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    loadAuthConfig()
      .then(async (loaded) => {
        setConfig(loaded);
        if (loaded.devSignIn) setUsers(await fetchDevUsers());
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);

  const [leaving, setLeaving] = useState(false);
  // oidc-client-ts loads only here, when the server names a provider and the user picks it.
  const signInWithProvider = async () => {
    setLeaving(true);
    try {
      await (await import('./oidc.ts')).startSignIn(next);
    } catch (failure) {
      setLeaving(false);
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  const signInAs = (user: DevUser) => {
    signIn(user.token, 'dev');
    navigate(next, { replace: true });
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to DVMM</h1>
      {error ? (
        <p role="alert" className="error">
          Signing in is not possible right now: {error}
        </p>
      ) : null}
      {config?.oidc ? (
        <p>
          <button type="button" onClick={() => void signInWithProvider()} disabled={leaving}>
            Sign in with {config.oidc.name}
          </button>
        </p>
      ) : null}
      {users ? (
        <section aria-labelledby="dev-users">
          <h2 id="dev-users">Development users</h2>
          <p className="hint">This server runs in development mode: pick a demo user. Production servers sign in through the identity provider.</p>
          <ul className="dev-users">
            {users.map((user) => (
              <li key={user.id}>
                <button type="button" onClick={() => signInAs(user)}>
                  Sign in as {user.label}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {config && !config.devSignIn && !config.oidc ? <p>No sign-in method is configured on this server.</p> : null}
    </main>
  );
}
