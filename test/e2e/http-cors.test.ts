import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

// Browsers let a page on another origin read an answer only when the server names that origin (CORS). The server
// names only the configured ones (CORS_ORIGINS; by default local pages in development, none in production), and
// never allows credentials: the API authenticates by the Authorization header, not by cookies.
const who = { sub: 'alice', tenant: 'acme' };
const servers: TestServer[] = [];
let development: TestServer;
let listed: TestServer;
let production: TestServer;

beforeAll(async () => {
  development = await startTestServer({ projector: false });
  listed = await startTestServer({ projector: false, cors: { kind: 'list', origins: ['https://portal.example.com', 'https://admin.example.com'] } });
  production = await startTestServer({ projector: false, cors: { kind: 'list', origins: [] } });
  servers.push(development, listed, production);
});
afterAll(async () => {
  for (const server of servers) await server.close();
});

async function query(server: TestServer, origin: string) {
  return fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, ...(await server.authHeader(who)) },
    body: JSON.stringify({ query: '{ viewer { id } }' }),
  });
}

const preflight = (server: TestServer, origin: string) =>
  fetch(server.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

describe('CORS', () => {
  it('names an allowed origin, with the methods and headers a client needs and without credentials', async () => {
    for (const [server, origin] of [
      [development, 'http://localhost:5173'],
      [development, 'http://127.0.0.1:3000'],
      [listed, 'https://portal.example.com'],
      [listed, 'https://admin.example.com'],
    ] as const) {
      const answer = await preflight(server, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST');
      expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization.*content-type/);
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      const response = await query(server, origin);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toMatch(/Origin/);
      expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('names no other origin, so a browser keeps the answer from that page', async () => {
    for (const [server, origin] of [
      [development, 'https://evil.example'],
      [development, 'http://localhost.evil.example'],
      [listed, 'http://localhost:5173'],
      [listed, 'https://portal.example.com.evil.example'],
      [production, 'http://localhost:5173'],
      [production, 'https://portal.example.com'],
    ] as const) {
      for (const answer of [await preflight(server, origin), await query(server, origin)]) {
        expect(answer.headers.get('access-control-allow-origin'), origin).toBeNull();
        expect(answer.headers.get('access-control-allow-credentials'), origin).toBeNull();
      }
    }
    // Same-origin pages (GraphiQL) need no CORS: they are served with none configured.
    const response = await query(production, production.origin);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { viewer: { id: 'alice' } } });
  });
});
