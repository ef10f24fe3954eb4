import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator } from '../../src/http/auth.ts';
import { mintToken } from '../../src/http/auth/mint.ts';
import { alice, tokenClaims } from '../support/personas.ts';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const claims = tokenClaims(alice);

afterEach(() => vi.useRealTimers());

describe('verified token cache', () => {
  it('answers a repeated token the same way, and refuses it once it has expired', async () => {
    const auth = createAuthenticator({ secret });
    const token = await mintToken({ ...claims, expiresIn: 60 }, { secret });
    const first = await auth.authenticate(`Bearer ${token}`);
    expect(first).toMatchObject({ ok: true, principal: { userId: 'alice', tenantId: 'acme' } });
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual(first);

    vi.useFakeTimers({ now: Date.now() + 120_000, toFake: ['Date'] });
    expect(await auth.authenticate(`Bearer ${token}`)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('never lets a token with a changed signature ride on a cached one', async () => {
    const auth = createAuthenticator({ secret });
    const token = await mintToken({ ...claims, expiresIn: 60 }, { secret });
    expect((await auth.authenticate(`Bearer ${token}`)).ok).toBe(true);
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await auth.authenticate(`Bearer ${forged}`)).toMatchObject({ ok: false });
  });
});
