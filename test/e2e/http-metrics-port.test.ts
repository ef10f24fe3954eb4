import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// METRICS_PORT: /metrics on a port of its own, so publishing the API's port does not publish the metrics.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ metricsPort: 0, projector: false });
});
afterAll(async () => {
  await server?.close();
});

describe('/metrics on a port of its own', () => {
  it('answers there, and no longer on the API port', async () => {
    const metricsUrl = new URL(server.server.metricsUrl);
    expect(metricsUrl.pathname).toBe('/metrics');
    expect(metricsUrl.port).not.toBe(String(server.server.port));

    const scraped = await fetch(metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    expect(await scraped.text()).toContain('dvmm_http_requests_total');

    const onApiPort = await fetch(`${server.origin}/metrics`);
    expect(onApiPort.status).toBe(404);
    expect(server.logs.some((line) => line.includes(`metrics on ${server.server.metricsUrl}`))).toBe(true);
  });

  it('counts the API port traffic', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await server.authHeader(alice)) },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(response.status).toBe(200);
    const text = await (await fetch(server.server.metricsUrl)).text();
    expect(text).toMatch(/^dvmm_graphql_operations_total\{type="query",name="anonymous",outcome="success"\} [1-9]/m);
  });

  it('serves nothing else on the metrics port', async () => {
    const origin = new URL(server.server.metricsUrl).origin;
    expect((await fetch(`${origin}/health`)).status).toBe(404);
    expect((await fetch(`${origin}/graphql`)).status).toBe(404);
    expect((await fetch(server.server.metricsUrl, { method: 'POST' })).status).toBe(405);
  });

  it('a taken metrics port is a one-line error naming METRICS_PORT, and the API port is let go again', async () => {
    const holder = createTcpServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as { port: number }).port;
    const listening = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const before = listening();
    try {
      const failed = await startTestServer({ metricsPort: taken, projector: false }).then(
        () => null,
        (error: unknown) => error as Error,
      );
      expect(failed?.message).toBe(`port ${taken} on 127.0.0.1 is in use: set METRICS_PORT or HOST`);
      // The API's server had been listening already: it is closed again, not left behind.
      expect(listening()).toBe(before);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
