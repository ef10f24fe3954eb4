import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAdmin, demoUser } from '../../src/demo/users.ts';
import { mintToken } from '../../src/http/auth.ts';
import { devTokens } from '../../src/http/dev-tokens.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { spawnDev } from '../support/dev-process.ts';
import { decoded, get } from '../support/raw-http.ts';
import { alice, tokenClaims } from '../support/personas.ts';
import { postGraphQL, startTestServer, type TestServer } from '../support/server.ts';

// GraphiQL over HTTP: the page and its files compressed once and cacheable (ETag, 304), the demo users' headers in
// development only and to this machine only, and GraphiQL and introspection off in production unless enabled.

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const INTROSPECTION = '{ __schema { queryType { name } } }';

/** The files the page links: stylesheet, scripts, favicon, and Monaco's workers from its JSON configuration. */
function linkedFiles(html: string): string[] {
  const linked = [...html.matchAll(/(?:href|src)="(\/graphiql\/[^"]+)"/g)].map((match) => match[1]!);
  const config = JSON.parse(/<script type="application\/json" id="dvmm-graphiql-config">(.*?)<\/script>/s.exec(html)![1]!) as {
    workers: Record<string, string>;
  };
  return [...linked, ...Object.values(config.workers)];
}

describe('GraphiQL in development', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ projector: false });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves a small page, compressed as the browser accepts, with an ETag it revalidates (304), beside GraphQL GETs', async () => {
    const br = await get(server.url, { ...HTML, 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('no-cache');
    expect(br.headers['vary']).toBe('Accept, Accept-Encoding');
    const html = decoded(br);
    expect(html).toContain('<title>DVMM GraphiQL</title>');
    // The 9 MB now live in linked files: the page is a few kB.
    expect(html.length).toBeLessThan(20_000);

    const gzip = await get(server.url, { ...HTML, 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip)).toBe(html);
    const plain = await get(server.url, HTML);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(html);
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    // br refused by q=0: gzip.
    expect((await get(server.url, { ...HTML, 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe('gzip');

    const etags = [br, gzip, plain].map((raw) => String(raw.headers['etag']));
    expect(new Set(etags).size).toBe(3);
    const again = await get(server.url, { ...HTML, 'accept-encoding': 'gzip, br', 'if-none-match': etags[0]! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['etag']).toBe(etags[0]);
    // A cache may send the tag back weakened, or among others.
    expect((await get(server.url, { ...HTML, 'accept-encoding': 'br', 'if-none-match': `"other", W/${etags[0]}` })).status).toBe(304);
    // Another encoding's tag is another representation.
    expect((await get(server.url, { ...HTML, 'accept-encoding': 'gzip', 'if-none-match': etags[0]! })).status).toBe(200);

    // The same URL still answers GraphQL GETs with JSON, and introspection (GraphiQL needs it) where GraphiQL is on.
    const token = await server.token(alice);
    const query = await get(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, {
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    });
    expect(query.status).toBe(200);
    expect(JSON.parse(decoded(query))).toEqual({ data: { __typename: 'Query' } });
    const introspection = await postGraphQL(server.url, INTROSPECTION, { authorization: `Bearer ${token}` });
    expect(introspection.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('serves every linked file compressed, immutable and revalidated by ETag, under a path holding its hash', async () => {
    const html = decoded(await get(server.url, HTML));
    const files = linkedFiles(html);
    expect(files).toHaveLength(7);
    let total = 0;
    let sent = 0;
    for (const path of files) {
      expect(path).toMatch(/^\/graphiql\/[\w.-]+\.[0-9a-f]{16}\.\w+$/);
      const br = await get(`${server.origin}${path}`, { 'accept-encoding': 'br' });
      expect(br.status, path).toBe(200);
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(br.headers['content-encoding']).toBe('br');
      const plain = await get(`${server.origin}${path}`);
      expect(decoded(br), path).toBe(plain.body.toString('utf8'));
      total += plain.body.length;
      sent += br.body.length;
      const cached = await get(`${server.origin}${path}`, { 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) });
      expect(cached.status, path).toBe(304);
    }
    // GraphiQL's bundle, stylesheet, workers and icon: megabytes, sent as a fraction of that.
    expect(total).toBeGreaterThan(5_000_000);
    expect(sent).toBeLessThan(total / 3);
    expect((await get(`${server.origin}/graphiql/graphiql.0000000000000000.js`)).status).toBe(404);
  });

  it('offers no demo users unless configured (no picker): /graphiql/demo-users is 404', async () => {
    const html = decoded(await get(server.url, HTML));
    expect(html).toContain('"demoUsersUrl":null');
    expect((await get(`${server.origin}/graphiql/demo-users`)).status).toBe(404);
  });
});

describe('GraphiQL demo users (development)', () => {
  let server: TestServer;
  const secret = 'graphiql-demo-users-test-secret-0123456789';

  beforeAll(async () => {
    server = await startTestServer({
      projector: false,
      auth: { secret },
      graphiql: { enabled: true, demoUsers: () => devTokens({ secret }, [demoUser, demoAdmin]) },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('gives a browser on this machine a working header per demo user, never cached', async () => {
    const html = decoded(await get(server.url, HTML));
    expect(html).toContain('"demoUsersUrl":"/graphiql/demo-users"');
    const response = await get(`${server.origin}/graphiql/demo-users`);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { users } = JSON.parse(decoded(response)) as { users: { id: string; label: string; headers: string }[] };
    expect(users.map(({ id, label }) => ({ id, label }))).toEqual([
      { id: 'alice', label: 'alice (user)' },
      { id: 'bob', label: 'bob (admin)' },
    ]);
    for (const user of users) {
      const viewer = await postGraphQL(server.url, '{ viewer { id roles } }', JSON.parse(user.headers) as Record<string, string>);
      expect(viewer.body.data?.['viewer']).toMatchObject({ id: user.id });
    }
  });

  it('refuses them to a page under another host name (DNS rebinding), with 403', async () => {
    const response = await get(`${server.origin}/graphiql/demo-users`, { host: 'attacker.example' });
    expect(response.status).toBe(403);
    expect(decoded(response)).not.toContain('Bearer');
  });
});

describe('GraphiQL and introspection switched off', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ projector: false, graphiql: { enabled: false } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves no page and no files', async () => {
    const page = await get(server.url, HTML);
    expect(page.headers['content-type']).not.toContain('text/html');
    expect(decoded(page)).not.toContain('GraphiQL');
    expect((await get(`${server.origin}/graphiql/demo-users`)).status).toBe(404);
  });

  it('refuses introspection with a clear error, and still answers __typename and queries', async () => {
    const auth = await server.authHeader(alice);
    const refused = await postGraphQL(server.url, INTROSPECTION, auth);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Introspection is disabled'), extensions: expect.objectContaining({ code: 'INTROSPECTION_DISABLED' }) }),
    ]);
    const type = await postGraphQL(server.url, '{ __type(name: "Query") { name } }', auth);
    expect(type.body.errors?.[0]?.extensions?.['code']).toBe('INTROSPECTION_DISABLED');
    const plain = await postGraphQL(server.url, '{ __typename viewer { id } }', auth);
    expect(plain.body).toEqual({ data: { __typename: 'Query', viewer: { id: 'alice' } } });
  });
});

// The real entry point, as production runs it: src/main.ts with NODE_ENV=production (and once in development). Each
// test starts a process: 120 s, for a machine busy with other tests.
describe('npm start in production', () => {
  const secret = 'graphiql-production-test-secret-0123456789';
  let database: TestDatabase;
  let auth: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    auth = { authorization: `Bearer ${await mintToken({ ...tokenClaims(alice), expiresIn: '1h' }, { secret })}` };
  });
  afterAll(async () => {
    await database?.close();
  });

  async function withProduction(env: Record<string, string>, check: (server: { url: string; origin: string }) => Promise<void>) {
    const run = spawnDev(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        JWT_SECRET: secret,
        DVMM_SECRETS_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
        PORT: '0',
        HOST: '127.0.0.1',
        PROVISIONING_ENABLED: 'false',
        ...env,
      },
    });
    try {
      const [, url] = await run.waitFor(/listening on (http:\/\/\S+\/graphql)/);
      await check({ url: url!, origin: new URL(url!).origin });
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }

  async function expectNoPage(server: { url: string; origin: string }) {
    const page = await get(server.url, HTML);
    expect(page.headers['content-type']).not.toContain('text/html');
    expect(decoded(page)).not.toContain('GraphiQL');
    expect((await get(`${server.origin}/graphiql/demo-users`)).status).toBe(404);
    // Nor the portal's development sign-in: the page is told to offer none, and the tokens' route does not exist.
    expect((await get(`${server.origin}/auth/dev-users`)).status).toBe(404);
    expect(JSON.parse(decoded(await get(`${server.origin}/auth/config`)))).toMatchObject({ devSignIn: false });
  }

  it('serves no GraphiQL page, no demo users and no introspection by default', async () => {
    await withProduction({}, async (server) => {
      await expectNoPage(server);
      const introspection = await postGraphQL(server.url, INTROSPECTION, auth);
      expect(introspection.body.errors?.[0]?.extensions?.['code']).toBe('INTROSPECTION_DISABLED');
      expect((await postGraphQL(server.url, '{ viewer { id } }', auth)).body).toEqual({ data: { viewer: { id: 'alice' } } });
    });
  }, 120_000);

  it('answers introspection with GRAPHQL_INTROSPECTION=true, still without GraphiQL', async () => {
    await withProduction({ GRAPHQL_INTROSPECTION: 'true' }, async (server) => {
      await expectNoPage(server);
      expect((await postGraphQL(server.url, INTROSPECTION, auth)).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });
  }, 120_000);

  it('in development (the same entry point), offers the demo users whose headers it prints', async () => {
    await withProduction({ NODE_ENV: 'development' }, async (server) => {
      const page = decoded(await get(server.url, HTML));
      expect(page).toContain('"demoUsersUrl":"/graphiql/demo-users"');
      const response = await get(`${server.origin}/graphiql/demo-users`);
      expect(response.status).toBe(200);
      const { users } = JSON.parse(decoded(response)) as { users: { id: string; headers: string }[] };
      expect(users.map((user) => user.id)).toEqual(['alice', 'bob']);
      const viewer = await postGraphQL(server.url, '{ viewer { id roles } }', JSON.parse(users[1]!.headers) as Record<string, string>);
      expect(viewer.body).toEqual({ data: { viewer: { id: 'bob', roles: ['admin'] } } });
      // The portal's sign-in page offers the same users, each with a token the API accepts.
      expect(JSON.parse(decoded(await get(`${server.origin}/auth/config`)))).toMatchObject({ devSignIn: true });
      const portalUsers = JSON.parse(decoded(await get(`${server.origin}/auth/dev-users`))) as { users: { id: string; token: string }[] };
      expect(portalUsers.users.map((user) => user.id)).toEqual(['alice', 'bob']);
      const asAlice = await postGraphQL(server.url, '{ viewer { id } }', { authorization: `Bearer ${portalUsers.users[0]!.token}` });
      expect(asAlice.body).toEqual({ data: { viewer: { id: 'alice' } } });
    });
  }, 120_000);

  it('serves GraphiQL (without demo users) and so introspection with GRAPHIQL_ENABLED=true', async () => {
    await withProduction({ GRAPHIQL_ENABLED: 'true' }, async (server) => {
      const page = await get(server.url, { ...HTML, 'accept-encoding': 'br' });
      expect(page.status).toBe(200);
      expect(page.headers['content-encoding']).toBe('br');
      expect(decoded(page)).toContain('"demoUsersUrl":null');
      expect((await get(`${server.origin}/graphiql/demo-users`)).status).toBe(404);
      expect((await postGraphQL(server.url, INTROSPECTION, auth)).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });
  }, 120_000);
});
