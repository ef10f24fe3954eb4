import type { ServerResponse } from 'node:http';
import type { Metrics } from './metrics.ts';
import { type CheckLog, type ReadinessCheck, runChecks } from './readiness.ts';

/** GET /health: the process is alive and its event loop answers. Nothing else is checked, on purpose. */
export function health(res: ServerResponse): void {
  json(res, 200, { status: 'ok' });
}

/** GET /ready: 200 when every check passes, else 503 with the failing checks named. */
export async function ready(res: ServerResponse, checks: Record<string, ReadinessCheck>, log: CheckLog): Promise<void> {
  const report = await runChecks(checks, log);
  json(res, report.ok ? 200 : 503, { status: report.ok ? 'ready' : 'not ready', checks: report.checks });
}

/** GET /metrics: Prometheus text format. */
export async function metricsText(res: ServerResponse, metrics: Metrics): Promise<void> {
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(body);
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
