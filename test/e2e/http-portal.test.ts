import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_DIR } from '../../src/http/server.ts';
import { alice } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The portal over HTTP as browsers and caches see it: the built app at /, hashed files cached for good and the page
// revalidated, compressed as the browser accepts, deep links answered with the app, and the sign-in routes.

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch, so the bytes and headers are exactly what was sent. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function text(raw: Raw): string {
  const encoding = raw.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(raw.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(raw.body).toString('utf8');
  return raw.body.toString('utf8');
}

const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('the portal at /', () => {
  let server: TestServer;
  let script: string;

  beforeAll(async () => {
    server = await startTestServer({ projector: false, portalAuth: { demoUsers: async () => [{ principal: alice, token: await server.token(alice), headers: '' }] } });
    // The page names its script by content hash; the test finds it as a browser would, from the page.
    const page = text(await get(`${server.origin}/`, HTML));
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
    expect(text(page)).toContain('<div id="root"></div>');
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
    expect(text(br)).toBe(plain.body.toString('utf8'));
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
      expect(text(page), path).toContain('<div id="root"></div>');
      expect(page.headers.vary).toContain('Accept');
    }
  });

  it('answers 404 (not the page) for a missing file and for a non-browser request', async () => {
    expect((await get(`${server.origin}/assets/missing-123.js`, HTML)).status).toBe(404);
    const api = await get(`${server.origin}/no-such-thing`, { accept: 'application/json' });
    expect(api.status).toBe(404);
    expect(JSON.parse(text(api))).toEqual({ error: 'Not found' });
  });

  it('keeps the API paths the API’s: /graphql, /health, /ready and /metrics still answer as before', async () => {
    expect((await get(`${server.origin}/health`)).status).toBe(200);
    expect(JSON.parse(text(await get(`${server.origin}/health`)))).toMatchObject({ status: 'ok' });
    const graphiql = await get(`${server.origin}/graphql`, HTML);
    expect(text(graphiql)).toContain('DVMM GraphiQL');
    expect((await get(`${server.origin}/metrics`)).headers['content-type']).toContain('text/plain');
  });

  it('tells the page how to sign in and, with demo users, hands out their tokens to this machine only', async () => {
    expect(JSON.parse(text(await get(`${server.origin}/auth/config`)))).toEqual({ devSignIn: true, oidc: null });
    const users = JSON.parse(text(await get(`${server.origin}/auth/dev-users`))) as { users: { id: string; token: string }[] };
    expect(users.users.map((user) => user.id)).toEqual(['alice']);
    expect((await get(`${server.origin}/auth/dev-users`, { host: 'dvmm.example.com' })).status).toBe(403);
    expect((await get(`${server.origin}/auth/other`)).status).toBe(404);
  });
});

describe('without a portal or sign-in', () => {
  it('answers 404 at / when the portal is off, and offers no sign-in method or tokens', async () => {
    const server = await startTestServer({ projector: false });
    try {
      expect(JSON.parse(text(await get(`${server.origin}/auth/config`)))).toEqual({ devSignIn: false, oidc: null });
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
      expect(text(page)).toContain('npm run build');
      await expect.poll(() => server.logs.join('\n')).toContain('no portal build in /nonexistent/dvmm-web');
    } finally {
      await server.close();
    }
  });
});
