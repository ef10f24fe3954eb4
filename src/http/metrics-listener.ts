import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenError } from './listen-errors.ts';
import type { Metrics } from './metrics.ts';
import { json, metricsText } from './ops-routes.ts';

/** /metrics on a port of its own (METRICS_PORT). */
export interface MetricsListener {
  /** http://host:port/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics, and nothing else, on `port`: the API's port can then be published while the metrics, which
 * need no token and name every operation clients send, stay on an internal network (the compose network, a pod's
 * port that no Service exposes). Resolves once listening.
 */
export async function listenMetrics(metrics: Metrics, port: number, host: string | undefined): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return json(res, 404, { error: 'Not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'Method not allowed' });
    metricsText(res, metrics).catch(() => (res.headersSent ? res.destroy() : json(res, 500, { error: 'Unexpected error.' })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw listenError(error, { METRICS_PORT: port }, host);
  });
  const actual = (server.address() as AddressInfo).port;
  const shown = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${actual}/metrics`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would hold close() open until it times out.
        server.closeAllConnections();
      }),
  };
}
