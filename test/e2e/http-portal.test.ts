import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_DIR } from '../../src/http/server.ts';
import { alice } from '../support/personas.ts';
import { decoded, get } from '../support/raw-http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The portal over HTTP as browsers and caches see it: the built app at /, hashed files cached for good and the page
// revalidated, compressed as the browser accepts, deep links answered with the app, and the sign-in routes.

const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('the portal at /', () => {
  let server: TestServer;
  let script: string;

  beforeAll(async () => {
    server = await startTestServer({ projector: false, portalAuth: { demoUsers: async () => [{ principal: alice, token: await server.token(alice), headers: '' }] } });
    // The page names its script by content hash; the test finds it as a browser would, from the page.
    const page = decoded(await get(`${server.origin}/`, HTML));
    script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1] ?? '';
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the app page, revalidated with its ETag, and 304 when unchanged', async () => {
    const page = await get(`${server.origin}/`, { ...HTML, 'accept-encoding': 'gzip' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(decoded(page)).toContain('<div id="root"></div>');
    const again = await get(`${server.origin}/`, { ...HTML, 'accept-encoding': 'gzip', 'if-none-match': String(page.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves the hashed script compressed (brotli first) and cacheable for good, and exactly the built file', async () => {
    expect(script).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    const br = await get(`${server.origin}${script}`, { 'accept-encoding': 'gzip, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const plain = await get(`${server.origin}${script}`, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(decoded(br)).toBe(plain.body.toString('utf8'));
    const built = readdirSync(join(DEFAULT_PORTAL_DIR, 'assets'));
    expect(built).toContain(script.slice('/assets/'.length));
    const head = await get(`${server.origin}${script}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it("answers a deep link or a reload of any page of the app with the app's page", async () => {
    for (const path of ['/requests/new', '/requests/VmRequest:abc?tab=audit', '/approvals', '/projects/x/y']) {
      const page = await get(`${server.origin}${path}`, HTML);
      expect(page.status, path).toBe(200);
      expect(decoded(page), path).toContain('<div id="root"></div>');
      expect(page.headers.vary).toContain('Accept');
    }
  });

  it('answers 404 (not the page) for a missing file and for a non-browser request', async () => {
    expect((await get(`${server.origin}/assets/missing-123.js`, HTML)).status).toBe(404);
    const api = await get(`${server.origin}/no-such-thing`, { accept: 'application/json' });
    expect(api.status).toBe(404);
    expect(JSON.parse(decoded(api))).toEqual({ error: 'Not found' });
  });

  it('keeps the API paths the API’s: /graphql, /health, /ready and /metrics still answer as before', async () => {
    expect((await get(`${server.origin}/health`)).status).toBe(200);
    expect(JSON.parse(decoded(await get(`${server.origin}/health`)))).toMatchObject({ status: 'ok' });
    const graphiql = await get(`${server.origin}/graphql`, HTML);
    expect(decoded(graphiql)).toContain('DVMM GraphiQL');
    expect((await get(`${server.origin}/metrics`)).headers['content-type']).toContain('text/plain');
  });

  it('tells the page how to sign in and, with demo users, hands out their tokens to this machine only', async () => {
    expect(JSON.parse(decoded(await get(`${server.origin}/auth/config`)))).toEqual({ devSignIn: true, oidc: null });
    const users = JSON.parse(decoded(await get(`${server.origin}/auth/dev-users`))) as { users: { id: string; token: string }[] };
    expect(users.users.map((user) => user.id)).toEqual(['alice']);
    expect((await get(`${server.origin}/auth/dev-users`, { host: 'dvmm.example.com' })).status).toBe(403);
    expect((await get(`${server.origin}/auth/other`)).status).toBe(404);
  });
});

describe('without a portal or sign-in', () => {
  it('answers 404 at / when the portal is off, and offers no sign-in method or tokens', async () => {
    const server = await startTestServer({ projector: false });
    try {
      expect(JSON.parse(decoded(await get(`${server.origin}/auth/config`)))).toEqual({ devSignIn: false, oidc: null });
      expect((await get(`${server.origin}/auth/dev-users`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('answers 404 with how to build when the build folder is empty', async () => {
    const server = await startTestServer({ projector: false, portal: { dir: '/nonexistent/dvmm-web' } });
    try {
      const page = await get(`${server.origin}/`, HTML);
      expect(page.status).toBe(404);
      expect(decoded(page)).toContain('npm run build');
      await expect.poll(() => server.logs.join('\n')).toContain('no portal build in /nonexistent/dvmm-web');
    } finally {
      await server.close();
    }
  });
});
