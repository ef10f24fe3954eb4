import { useSyncExternalStore } from 'react';
import { readTokenClaims, type TokenClaims } from './token-claims.ts';

/** A signed-in user: the bearer token the API checks and what the page shows of it. */
export interface Session {
  token: string;
  claims: TokenClaims;
  /** How the token was obtained: the development sign-in, or the OpenID Connect provider (which renews it). */
  via: 'dev' | 'oidc';
}

const KEY = 'dvmm.session';
type Listener = () => void;
const listeners = new Set<Listener>();
let current: Session | null = load();

function load(): Session | null {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as { token?: unknown; via?: unknown } | null;
    if (!stored || typeof stored.token !== 'string') return null;
    const claims = readTokenClaims(stored.token);
    if (!claims || claims.expiresAt <= Date.now()) return null;
    return { token: stored.token, claims, via: stored.via === 'oidc' ? 'oidc' : 'dev' };
  } catch {
    return null;
  }
}

export function currentSession(): Session | null {
  return current;
}

/** Stores a token (kept across reloads and shared by the tabs of this origin) and tells every subscriber. */
export function signIn(token: string, via: Session['via']): Session {
  const claims = readTokenClaims(token);
  if (!claims) throw new Error('The sign-in returned a token without sub, tenant_id and exp.');
  current = { token, claims, via };
  localStorage.setItem(KEY, JSON.stringify({ token, via }));
  notify();
  return current;
}

export function signOut(): void {
  current = null;
  localStorage.removeItem(KEY);
  notify();
}

function notify(): void {
  for (const listener of listeners) listener();
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signed in or out.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== KEY) return;
    current = load();
    notify();
  });
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribeSession, currentSession);
}

export const isTenantAdmin = (session: Session | null): boolean => session?.claims.roles.includes('admin') ?? false;
