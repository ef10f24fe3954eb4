import { useEffect } from 'react';
import { useSession } from './session.ts';

/** While the session comes from the OpenID Connect provider, its access token is renewed before it expires (oidc.ts). */
export function useOidcRenewal(): void {
  const via = useSession()?.via;
  useEffect(() => {
    if (via !== 'oidc') return;
    let stop: (() => void) | undefined;
    let cancelled = false;
    void import('./oidc.ts').then((oidc) => {
      if (!cancelled) stop = oidc.keepRenewed();
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [via]);
}
