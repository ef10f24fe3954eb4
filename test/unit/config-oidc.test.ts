import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/config-error.ts';
import { authConfig } from '../../src/http/auth/config.ts';
import { portalSignInMethods } from '../../src/http/portal/sign-in-methods.ts';

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('no ConfigError');
};

const ISSUER = 'https://sso.acme.example/realms/dvmm';

describe('single sign-on configuration (OIDC_*)', () => {
  it('is off without OIDC_ISSUER and OIDC_CLIENT_ID, and fills in the scope and the name shown', () => {
    expect(parseConfig({}).oidc).toBeUndefined();
    expect(parseConfig({ OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: 'dvmm-portal' }).oidc).toEqual({
      authority: ISSUER,
      clientId: 'dvmm-portal',
      scope: 'openid profile email',
      name: 'sso.acme.example',
    });
    expect(parseConfig({ OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: 'p', OIDC_SCOPE: 'openid offline_access', OIDC_PROVIDER_NAME: 'Acme SSO' }).oidc).toMatchObject({
      scope: 'openid offline_access',
      name: 'Acme SSO',
    });
  });

  it('refuses one without the other, a scope without openid, and an issuer that is not a URL', () => {
    expect(refusal(() => parseConfig({ OIDC_ISSUER: ISSUER }))).toBe(
      "OIDC_ISSUER is set but OIDC_CLIENT_ID is not: single sign-on needs both (the provider and the portal's client there), or neither",
    );
    expect(refusal(() => parseConfig({ OIDC_CLIENT_ID: 'dvmm-portal', OIDC_ISSUER: ' ' }))).toMatch(/^OIDC_CLIENT_ID is set but OIDC_ISSUER is not/);
    expect(refusal(() => parseConfig({ OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: 'p', OIDC_SCOPE: 'profile email' }))).toBe(
      'OIDC_SCOPE must include openid (an OpenID Connect sign-in), got "profile email"',
    );
    expect(refusal(() => parseConfig({ OIDC_ISSUER: 'sso.acme.example', OIDC_CLIENT_ID: 'p' }))).toBe('OIDC_ISSUER is not a URL, got "sso.acme.example"');
  });

  it('in production without JWT_SECRET or JWT_JWKS_URL, says where the JWKS of OIDC_ISSUER is', () => {
    const config = parseConfig({ NODE_ENV: 'production', OIDC_ISSUER: `${ISSUER}/`, OIDC_CLIENT_ID: 'p' });
    expect(refusal(() => authConfig(config))).toBe(
      `JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production (with OIDC_ISSUER: JWT_JWKS_URL is the jwks_uri in ${ISSUER}/.well-known/openid-configuration)`,
    );
  });
});

describe("the portal's sign-in methods as main.ts wires them", () => {
  const demoUsers = async () => [];

  it('in production: single sign-on only, never the demo users', () => {
    const config = parseConfig({ NODE_ENV: 'production', JWT_JWKS_URL: `${ISSUER}/protocol/openid-connect/certs`, OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: 'p' });
    const methods = portalSignInMethods(config, demoUsers);
    expect(methods.demoUsers).toBeUndefined();
    expect(methods.oidc).toMatchObject({ authority: ISSUER, clientId: 'p' });
    expect(portalSignInMethods(parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }), demoUsers)).toEqual({});
  });

  it('in development: the demo users, and single sign-on beside them when configured', () => {
    expect(portalSignInMethods(parseConfig({}), demoUsers)).toEqual({ demoUsers });
    expect(portalSignInMethods(parseConfig({ OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: 'p' }), demoUsers)).toMatchObject({ demoUsers, oidc: { clientId: 'p' } });
  });
});
