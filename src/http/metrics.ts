import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadReplicas } from '../db/read-replicas.ts';
import { readReplicaMetrics } from './read-routing/replica-metrics.ts';

/** How far one projection is behind the event log. */
export interface ProjectionLag {
  projection: string;
  /** Events recorded but not yet applied. */
  events: number;
  /** Age of the oldest unapplied event, when known. */
  seconds?: number;
}

export interface MetricsSources {
  /** Read replicas (DATABASE_READ_URL): their state and lag, and where reads went. */
  readReplicas?: Pick<ReadReplicas, 'status' | 'stats'>;
  /** Live subscribers of this process (services.live.subscriberCount()). */
  subscriberCount?: () => number;
  /** Read when /metrics is scraped. */
  projectionLag?: () => Promise<readonly ProjectionLag[]> | readonly ProjectionLag[];
}

export type OperationOutcome = 'success' | 'error' | 'invalid' | 'unauthenticated';

export interface Metrics {
  registry: Registry;
  httpRequest(method: string, route: string, status: number): void;
  operation(type: string, name: string, outcome: OperationOutcome, seconds?: number): void;
  websocketOpened(): void;
  websocketClosed(): void;
}

// Operation names come from clients: beyond this many distinct ones they are counted as "other", so a client that
// invents a new name per request cannot grow the metrics without bound.
const MAX_OPERATION_NAMES = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** One registry per server (tests run several servers in one process; the global registry would clash). */
export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: 'dvmm_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const operations = new Counter({
    name: 'dvmm_graphql_operations_total',
    help: 'GraphQL operations by type, name and outcome',
    labelNames: ['type', 'name', 'outcome'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'dvmm_graphql_operation_duration_seconds',
    help: 'Execution time of GraphQL queries and mutations (subscriptions: until the stream is set up)',
    labelNames: ['type', 'name', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const websockets = new Gauge({
    name: 'dvmm_websocket_connections',
    help: 'Open graphql-ws connections',
    registers: [registry],
  });
  new Gauge({
    name: 'dvmm_subscriptions_active',
    help: 'Active live subscribers in this process (graphql-ws and SSE)',
    registers: [registry],
    collect() {
      this.set(sources.subscriberCount?.() ?? 0);
    },
  });
  // Both lag gauges come from one read per scrape: the registry collects all metrics at once, so each asks and
  // the second gets the first one's answer.
  let lagRead: { at: number; result: Promise<readonly ProjectionLag[]> } | undefined;
  const readLag = (): Promise<readonly ProjectionLag[]> => {
    const now = Date.now();
    if (!lagRead || now - lagRead.at > 1_000) {
      lagRead = { at: now, result: Promise.resolve().then(() => sources.projectionLag?.() ?? []) };
    }
    return lagRead.result;
  };
  const lagGauge = (name: string, help: string, value: (lag: ProjectionLag) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        if (!sources.projectionLag) return;
        try {
          for (const lag of await readLag()) {
            const figure = value(lag);
            if (figure !== undefined) this.set({ projection: lag.projection }, figure);
          }
        } catch {
          // A scrape while the database is away: no lag figures rather than a failed scrape.
        }
      },
    });
  lagGauge('dvmm_projection_lag_events', 'Events recorded but not yet applied, per projection', (lag) => lag.events);
  lagGauge(
    'dvmm_projection_lag_seconds',
    'Age of the oldest event not yet applied, per projection (0 when caught up)',
    (lag) => lag.seconds,
  );
  if (sources.readReplicas) readReplicaMetrics(registry, sources.readReplicas);

  const names = new Set<string>();
  const operationName = (name: string): string => {
    if (!NAME.test(name)) return name === '' ? 'anonymous' : 'other';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };

  return {
    registry,
    httpRequest(method, route, status) {
      httpRequests.inc({ method, route, status: String(status) });
    },
    operation(type, name, outcome, seconds) {
      const labels = { type, name: operationName(name), outcome };
      operations.inc(labels);
      if (seconds !== undefined) durations.observe(labels, seconds);
    },
    websocketOpened: () => websockets.inc(),
    websocketClosed: () => websockets.dec(),
  };
}
