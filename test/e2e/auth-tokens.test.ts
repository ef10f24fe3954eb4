import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphiqlOptions } from '../../src/http/graphiql.ts';
import { alice } from '../support/personas.ts';
import { postGraphQL, startTestServer, type TestServer } from '../support/server.ts';

// api.md, Auth: no token, a bad signature, an expired token or a missing tenant_id -> UNAUTHENTICATED with 401.
const VIEWER = '{ viewer { id tenantId roles email name } }';

const SECRET = 'auth-tokens-test-secret-0123456789abcdef';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ projector: false, auth: { secret: SECRET } });
});
afterAll(async () => {
  await server?.close();
});

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, secret: string) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

async function expectRefused(authorization: string | undefined, reason?: string) {
  const response = await postGraphQL(server.url, VIEWER, authorization === undefined ? {} : { authorization });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.body.data ?? null).toBeNull();
  expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  if (reason) expect(response.body.errors?.[0]?.extensions?.['reason']).toBe(reason);
  // The refusal says what is wrong, never how the server checks it.
  expect(JSON.stringify(response.body)).not.toMatch(/secret|stack|at \w+ \(/i);
}

describe('HTTP bearer tokens', () => {
  it('accepts a valid token and builds the principal from its claims', async () => {
    const response = await postGraphQL(server.url, VIEWER, await server.authHeader(alice));
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      viewer: { id: 'alice', tenantId: 'acme', roles: ['user'], email: 'alice@acme.test', name: 'Alice' },
    });
  });

  it('refuses a request without a token', async () => {
    await expectRefused(undefined, 'missing');
  });

  it('refuses a header that is not "Bearer <token>"', async () => {
    await expectRefused('Basic YWxpY2U6c2VjcmV0', 'malformed');
    await expectRefused('Bearer', 'malformed');
    await expectRefused(`Bearer ${await server.token(alice)} extra`, 'malformed');
  });

  it('refuses text that is not a JWT', async () => {
    await expectRefused('Bearer not-a-jwt', 'malformed');
    await expectRefused('Bearer a.b.c', 'malformed');
  });

  it('refuses an expired token', async () => {
    await expectRefused(`Bearer ${await server.token(alice, { expiresIn: -60 })}`, 'expired');
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await sign({ sub: 'alice', tenant_id: 'acme', roles: ['admin'], exp: now() + 600 }, 'another-secret-of-at-least-32-bytes!!');
    await expectRefused(`Bearer ${forged}`, 'invalid');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await server.token(alice)).split('.');
    const payload = base64url({ sub: 'alice', tenant_id: 'acme', roles: ['admin'], exp: now() + 600 });
    await expectRefused(`Bearer ${header}.${payload}.${signature}`, 'invalid');
  });

  it("refuses alg 'none' (an unsigned token)", async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', tenant_id: 'acme', roles: ['admin'], exp: now() + 600 })}.`;
    await expectRefused(`Bearer ${unsigned}`);
  });

  it('refuses an RS256 token when only a shared secret is configured', async () => {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'alice', tenant_id: 'acme', exp: now() + 600 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    await expectRefused(`Bearer ${token}`, 'invalid');
  });

  it('refuses a token without tenant_id, without sub, or without exp', async () => {
    const secret = SECRET;
    await expectRefused(`Bearer ${await sign({ sub: 'alice', roles: ['user'], exp: now() + 600 }, secret)}`, 'claims');
    await expectRefused(`Bearer ${await sign({ sub: 'alice', tenant_id: '', exp: now() + 600 }, secret)}`, 'claims');
    await expectRefused(`Bearer ${await sign({ tenant_id: 'acme', roles: ['user'], exp: now() + 600 }, secret)}`, 'claims');
    await expectRefused(`Bearer ${await sign({ sub: 'alice', tenant_id: 'acme', roles: ['user'] }, secret)}`, 'claims');
  });

  it('refuses a signed token whose ids or profile are not one line of valid text (they would go into events)', async () => {
    const claims = { sub: 'alice', tenant_id: 'acme', roles: ['admin'], exp: now() + 600 };
    for (const bad of [
      { tenant_id: 'acme\u0000' },
      { tenant_id: 'ac\nme' },
      { tenant_id: 'acme\ud800' },
      { tenant_id: 'x'.repeat(201) },
      { sub: 'alice\u0000' },
      { sub: 'alice\u001b[2J' },
      { sub: '\udc00alice' },
      { sub: 'x'.repeat(256) },
      { name: 'Alice\u0000' },
      { email: 'alice@acme.example\ud800' },
    ]) {
      await expectRefused(`Bearer ${await sign({ ...claims, ...bad }, SECRET)}`, 'claims');
    }
    // Nothing of such a token reached the store: a command with it is refused before anything runs.
    const response = await postGraphQL(
      server.url,
      'mutation { createProject(input: { name: "Refused" }) { __typename } }',
      { authorization: `Bearer ${await sign({ ...claims, tenant_id: 'acme\u0000' }, SECRET)}` },
    );
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.message).toMatch(/tenant_id/);
  });

  it("reads Keycloak's realm_access.roles and ignores roles it does not know", async () => {
    const token = await sign(
      { sub: 'kc-bob', tenant_id: 'acme', realm_access: { roles: ['offline_access', 'admin'] }, roles: ['superuser'], exp: now() + 600 },
      SECRET,
    );
    const response = await postGraphQL(server.url, '{ viewer { id roles } }', { authorization: `Bearer ${token}` });
    expect(response.body.data).toEqual({ viewer: { id: 'kc-bob', roles: ['admin'] } });
  });

  it('refuses GET queries and SSE subscriptions without a token as well', async () => {
    const get = await fetch(`${server.url}?query=${encodeURIComponent(VIEWER)}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(401);
    const sse = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { vmRequestChanges { cursor } }' }),
    });
    expect(sse.status).toBe(401);
    await sse.body?.cancel();
  });

  it('serves the GraphiQL page without a token', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    // The WebSocket's connection_init takes the Authorization header from GraphiQL's headers tab (the page's script).
    const script = /<script src="(\/graphiql\/dvmm-graphiql\.[0-9a-f]+\.js)">/.exec(html)?.[1];
    expect(script).toBeDefined();
    const client = await fetch(new URL(script!, server.url));
    expect(client.status).toBe(200);
    expect(await client.text()).toContain('connectionParams');
  });

  it("GraphiQL's example query runs once a token is pasted", async () => {
    const response = await postGraphQL(server.url, graphiqlOptions().defaultQuery!, await server.authHeader(alice));
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['viewer']).toMatchObject({ id: 'alice' });
  });
});
