import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startTestServer, type TestServer } from '../support/server.ts';

// api.md, Auth: RS256 verified against JWT_JWKS_URL (e.g. Keycloak), with JWT_ISSUER / JWT_AUDIENCE when set.
// The identity provider here is a local HTTP server publishing a JWKS, with keys generated for this run.
const ISSUER = 'https://idp.example/realms/dvmm';
const AUDIENCE = 'dvmm-api';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let rsaKey: Key;
let ecKey: Key;
let idp: Server;
let server: TestServer;
let jwksRequests = 0;

beforeAll(async () => {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  rsaKey = rsa.privateKey;
  ecKey = ec.privateKey;
  const keys: JWK[] = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  idp = createServer((req, res) => {
    jwksRequests++;
    if (req.url !== '/realms/dvmm/protocol/openid-connect/certs') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const { port } = idp.address() as AddressInfo;
  server = await startTestServer({
    projector: false,
    auth: { jwksUrl: `http://127.0.0.1:${port}/realms/dvmm/protocol/openid-connect/certs`, issuer: ISSUER, audience: AUDIENCE },
  });
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => idp?.close(resolve));
});

const now = () => Math.floor(Date.now() / 1000);

/** A Keycloak-like access token. */
function keycloakToken(overrides: { alg?: 'RS256' | 'ES256'; kid?: string; iss?: string; aud?: string | null; key?: Key } = {}) {
  const alg = overrides.alg ?? 'RS256';
  const claims: Record<string, unknown> = {
    sub: 'f3a9c2d4-kc-user',
    tenant_id: 'acme',
    realm_access: { roles: ['default-roles-dvmm', 'admin'] },
    email: 'carol@acme.example',
    name: 'Carol',
    iss: overrides.iss ?? ISSUER,
    exp: now() + 300,
    iat: now(),
  };
  if (overrides.aud !== null) claims['aud'] = overrides.aud ?? AUDIENCE;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: overrides.kid ?? (alg === 'RS256' ? 'rsa-1' : 'ec-1'), typ: 'JWT' })
    .sign(overrides.key ?? (alg === 'RS256' ? rsaKey : ecKey));
}

async function viewer(token: string) {
  return postGraphQL(server.url, '{ viewer { id tenantId roles email name } }', { authorization: `Bearer ${token}` });
}

async function expectRefused(token: string) {
  const response = await viewer(token);
  expect(response.status).toBe(401);
  expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
}

describe('tokens verified against a JWKS', () => {
  it('accepts an RS256 token from the identity provider, with its Keycloak roles', async () => {
    const response = await viewer(await keycloakToken());
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      viewer: { id: 'f3a9c2d4-kc-user', tenantId: 'acme', roles: ['admin'], email: 'carol@acme.example', name: 'Carol' },
    });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('accepts an ES256 token from the same key set', async () => {
    const response = await viewer(await keycloakToken({ alg: 'ES256' }));
    expect(response.body.data?.['viewer']).toMatchObject({ id: 'f3a9c2d4-kc-user' });
  });

  it('refuses a token from another issuer', async () => {
    await expectRefused(await keycloakToken({ iss: 'https://evil.example/realms/dvmm' }));
  });

  it('refuses a token for another audience, or for none', async () => {
    await expectRefused(await keycloakToken({ aud: 'some-other-client' }));
    await expectRefused(await keycloakToken({ aud: null }));
  });

  it('refuses a token signed by a key the JWKS does not publish', async () => {
    const stranger = (await generateKeyPair('RS256')).privateKey;
    await expectRefused(await keycloakToken({ key: stranger }));
    await expectRefused(await keycloakToken({ key: stranger, kid: 'unknown-kid' }));
  });

  it('refuses HS256 tokens when no shared secret is configured', async () => {
    const hs = await new SignJWT({ sub: 'x', tenant_id: 'acme', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .sign(new TextEncoder().encode('a-guessable-secret-of-at-least-32-bytes'));
    await expectRefused(hs);
  });
});
