import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { createSql, createDb } from '../../src/db/client.ts';
import { createEventStore } from '../../src/event-store/index.ts';
import type { LiveFeed } from '../../src/graphql/index.ts';
import { createServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/http/logger.ts';
import { projectorReadiness } from '../../src/http/projector-health.ts';
import type { Projector } from '../../src/projections/index.ts';
import { alice } from '../support/personas.ts';
import { postGraphQL, startTestServer, type TestServer } from '../support/server.ts';

// api.md, Operations: GET /health (process alive), GET /ready (database reachable, migrations applied, projector not
// stalled), GET /metrics (Prometheus text).

let server: TestServer;
let auth: { authorization: string };
const clients: Client[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'dvmm-http-ops-'));

beforeAll(async () => {
  server = await startTestServer();
  auth = await server.authHeader(alice);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const get = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
};

async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const { text } = await get(`${server.origin}/metrics`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

/** How long a metric or a subscriber count may take to follow a socket opening or closing. */
const POLL = { timeout: 10_000, interval: 50 };

describe('/health and /ready', () => {
  it('/health answers while the process runs', async () => {
    const health = await get(`${server.origin}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
  });

  it('/ready checks the database, the migrations and the projector', async () => {
    const ready = await get(`${server.origin}/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true }, projector: { ok: true } },
    });
  });

  it('/ready is 503 while a migration of the code is not applied to the database', async () => {
    const journalFile = fileURLToPath(new URL('../../drizzle/meta/_journal.json', import.meta.url));
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string; when: number }[] };
    journal.entries.push({ ...journal.entries.at(-1)!, idx: journal.entries.length, when: Date.now(), tag: '9999_not_applied' } as never);
    const newer = join(scratch, '_journal.json');
    writeFileSync(newer, JSON.stringify(journal));
    const ahead = await startTestServer({ database: server.database, projector: false, migrationsJournal: newer });
    try {
      const ready = await get(`${ahead.origin}/ready`);
      expect(ready.status).toBe(503);
      const body = JSON.parse(ready.text) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.status).toBe('not ready');
      expect(body.checks['migrations']).toEqual({ ok: false, detail: 'pending: 9999_not_applied' });
      expect(body.checks['database']).toEqual({ ok: true });
    } finally {
      await ahead.close();
    }
  });

  it('/ready is 503 while a projection this process leads is stalled', async () => {
    const stalledProjector = {
      status: () => ({
        listening: true,
        projections: [
          { name: 'vm_requests', leading: true, checkpoint: null, eventsApplied: 0, lastCommitAt: null, stalled: { position: 42n, error: 'boom', since: new Date(), attempts: 3 } },
          { name: 'projects', leading: true, checkpoint: null, eventsApplied: 0, lastCommitAt: null, stalled: null },
        ],
      }),
    } as unknown as Projector;
    const withStall = await startTestServer({ database: server.database, projector: false, readiness: { projector: projectorReadiness(stalledProjector) } });
    try {
      const ready = await get(`${withStall.origin}/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.text).checks.projector).toEqual({ ok: false, detail: 'stalled: vm_requests' });
    } finally {
      await withStall.close();
    }
  });

  it('/ready is 503 without a reachable database, /health stays 200, and no connection detail leaks', async () => {
    const sql = createSql('postgres://postgres:hunter2@127.0.0.1:1/nowhere', { max: 2 });
    const store = createEventStore(sql);
    const lonely = await createServer({
      services: {
        sql,
        db: createDb(sql),
        store,
        commands: createCommandHandlers(store),
        // Never started: this server answers nothing but /health and /ready.
        live: { start: async () => {}, stop: async () => {}, subscriberCount: () => 0 } as unknown as LiveFeed,
      },
      schema: buildSchema('type Query { ok: Boolean }'),
      auth: { secret: 'x'.repeat(32) },
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
    });
    try {
      const origin = new URL(lonely.url).origin;
      expect((await get(`${origin}/health`)).status).toBe(200);
      const ready = await get(`${origin}/ready`);
      expect(ready.status).toBe(503);
      const body = JSON.parse(ready.text) as { checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.checks['database']).toEqual({ ok: false, detail: 'check failed' });
      expect(ready.text).not.toMatch(/hunter2|127\.0\.0\.1|ECONNREFUSED/);
    } finally {
      await lonely.close();
      await sql.end({ timeout: 1 });
    }
  });

  it('answers 404 elsewhere and 405 to writes on the operational routes', async () => {
    expect((await get(`${server.origin}/nope`)).status).toBe(404);
    expect((await fetch(`${server.origin}/health`, { method: 'POST' })).status).toBe(405);
  });
});

describe('/metrics', () => {
  it('serves Prometheus text with the default Node metrics', async () => {
    const metrics = await get(`${server.origin}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    expect(metrics.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts HTTP requests by status and GraphQL operations by type, name and outcome, with durations', async () => {
    const before = (await metricValue('dvmm_graphql_operations_total', { name: 'MetricsProbe', outcome: 'success' })) ?? 0;
    const refusedBefore = (await metricValue('dvmm_http_requests_total', { route: '/graphql', status: '401' })) ?? 0;
    await postGraphQL(server.url, 'query MetricsProbe { viewer { id } }', auth);
    await postGraphQL(server.url, 'query MetricsProbe { viewer { id } }', auth);
    await postGraphQL(server.url, 'query MetricsProbe { viewer { id } }', {});
    await postGraphQL(server.url, 'query Broken { viewer { nope } }', auth);

    expect(await metricValue('dvmm_graphql_operations_total', { type: 'query', name: 'MetricsProbe', outcome: 'success' })).toBe(before + 2);
    expect(await metricValue('dvmm_graphql_operation_duration_seconds_count', { name: 'MetricsProbe', outcome: 'success' })).toBe(before + 2);
    expect(await metricValue('dvmm_graphql_operations_total', { name: 'Broken', outcome: 'invalid' })).toBe(1);
    expect(await metricValue('dvmm_graphql_operations_total', { outcome: 'unauthenticated' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue('dvmm_http_requests_total', { route: '/graphql', status: '401' })).toBe(refusedBefore + 1);
  });

  it('keeps client-chosen operation names from growing the label set without bound', async () => {
    const response = await postGraphQL(server.url, 'query ThisIsAVeryLongOperationNameThatNobodyWouldReallyUseInAnyRealClientAtAllReally { viewer { id } }', auth);
    expect(response.status).toBe(200);
    const { text } = await get(`${server.origin}/metrics`);
    expect(text).not.toContain('ThisIsAVeryLongOperationName');
    expect(text).toContain('name="other"');
  });

  it('reports open WebSockets and active subscriptions', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: auth, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
    clients.push(client);
    const stop = client.subscribe({ query: 'subscription { vmRequestChanges { cursor } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    await expect.poll(() => metricValue('dvmm_websocket_connections'), POLL).toBe(1);
    await expect.poll(async () => (await metricValue('dvmm_subscriptions_active')) ?? 0, POLL).toBeGreaterThanOrEqual(1);
    stop();
    await client.dispose();
    await expect.poll(() => metricValue('dvmm_websocket_connections'), POLL).toBe(0);
    await expect.poll(() => metricValue('dvmm_subscriptions_active'), POLL).toBe(0);
  });

  it('reports the lag of every projection', async () => {
    const { text } = await get(`${server.origin}/metrics`);
    for (const projection of ['vm_requests', 'projects']) {
      expect(text).toMatch(new RegExp(`dvmm_projection_lag_events\\{projection="${projection}"\\} \\d+`));
      expect(text).toMatch(new RegExp(`dvmm_projection_lag_seconds\\{projection="${projection}"\\} [\\d.e-]+`));
    }
  });
});

describe('shutdown', () => {
  it('closes WebSockets with 1001, ends SSE streams and stops listening', async () => {
    const doomed = await startTestServer({ database: server.database, projector: false });
    const header = await doomed.authHeader(alice);
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: doomed.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: header,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      clients.push(client);
      client.subscribe({ query: 'subscription { vmRequestChanges { cursor } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    await expect.poll(() => doomed.services.live.subscriberCount(), POLL).toBeGreaterThanOrEqual(1);
    const sse = await fetch(doomed.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...header },
      body: JSON.stringify({ query: 'subscription { vmRequestChanges { cursor } }' }),
    });
    const sseEnded = sse.text().then(
      () => 'ended',
      () => 'ended',
    );

    await doomed.close();
    expect(await closed).toBe(1001);
    expect(await sseEnded).toBe('ended');
    await expect(fetch(`${doomed.origin}/health`)).rejects.toThrow();
  });
});
