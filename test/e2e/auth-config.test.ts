import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Env, parseConfig } from '../../src/config/index.ts';
import { authConfig, createAuthenticator, mintToken } from '../../src/http/auth.ts';

// How the server finds its keys: JWT_SECRET, JWT_JWKS_URL, or (in development only) a secret of the data folder.
const base = mkdtempSync(join(tmpdir(), 'dvmm-auth-config-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

// Checked as at start-up, then turned into the server's token keys.
const authOf = (env: Env) => authConfig(parseConfig(env));

describe('auth configuration from the environment', () => {
  it('refuses to start in production without JWT_SECRET or JWT_JWKS_URL', () => {
    expect(() => authOf({ NODE_ENV: 'production', DVMM_DATA_DIR: join(base, 'prod') })).toThrow(/JWT_SECRET or JWT_JWKS_URL/);
    expect(readdirSync(base)).not.toContain('prod.jwt-secret');
  });

  it('refuses a JWT_SECRET shorter than 32 bytes', () => {
    expect(() => authOf({ JWT_SECRET: 'too-short' })).toThrow(/at least 32 bytes/);
  });

  it('takes JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE as given', () => {
    const config = authOf({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'dvmm',
    });
    expect(config).toMatchObject({ secret: 'x'.repeat(40), issuer: 'https://idp.example', audience: 'dvmm', secretSource: 'JWT_SECRET' });
  });

  it('refuses a JWT_JWKS_URL that is not an http(s) URL', () => {
    expect(() => authOf({ JWT_JWKS_URL: 'file:///etc/passwd' })).toThrow(/http/);
    expect(() => authOf({ JWT_JWKS_URL: 'not a url' })).toThrow(/not a URL/);
  });

  it('in development, generates one secret per data folder and keeps it, readable only by its owner', async () => {
    const dataDir = join(base, 'dev', '.data');
    const first = authOf({ DVMM_DATA_DIR: dataDir });
    const again = authOf({ DVMM_DATA_DIR: dataDir });
    const other = authOf({ DVMM_DATA_DIR: join(base, 'other', '.data') });
    expect(first.secret).toBeTruthy();
    expect(again.secret).toBe(first.secret);
    expect(other.secret).not.toBe(first.secret);
    expect(first.devSecretFile).toBe(join(base, 'dev', '.data.jwt-secret'));
    expect(statSync(first.devSecretFile!).mode & 0o077).toBe(0);
    // The data folder itself stays untouched: the embedded Postgres initialises only an empty one.
    expect(readdirSync(join(base, 'dev'))).toEqual(['.data.jwt-secret']);

    // A token minted by the CLI with that secret passes the server's check.
    const token = await mintToken({ sub: 'alice', tenant: 'acme', roles: ['user'] }, { secret: first.secret! });
    const result = await createAuthenticator(again).authenticate(`Bearer ${token}`);
    expect(result).toMatchObject({ ok: true, principal: { userId: 'alice', tenantId: 'acme', roles: ['user'] } });
  });
});
