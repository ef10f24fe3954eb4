import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createReadReplicas, type ReadReplicas } from '../db/read-replicas.ts';
import type { Services } from '../graphql/context.ts';
import { type AuthConfig, type Authenticator, createAuthenticator } from './auth.ts';
import { guardBody } from './body-timeout.ts';
import { answerClientError } from './client-errors.ts';
import { type CorsPolicy, describeCors } from './cors.ts';
import { createMaskError } from './errors.ts';
import { createGraphiQL, GRAPHIQL_FILES_ROUTE, type GraphiQLConfig } from './graphiql.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics, type ProjectionLag } from './metrics.ts';
import { listenMetrics, type MetricsListener } from './metrics-listener.ts';
import { LiveSocket } from './live-socket/index.ts';
import { isAuthRoute, type PortalAuth, serveAuthRoute } from './portal/auth-routes.ts';
import { createPortal } from './portal/portal.ts';
import { createJsonPostHandler } from './json-post.ts';
import { BODY_IDLE_TIMEOUT_MS, MAX_BODY_BYTES } from './limits.ts';
import { health, json, metricsText, ready } from './ops-routes.ts';
import { checkOutageLog, databaseCheck, migrationsCheck, type ReadinessCheck } from './readiness.ts';
import { createCallerPositions } from './read-routing/caller-positions.ts';
import { useReadRouting } from './read-routing/plugin.ts';
import { replicaChecks } from './read-routing/replica-checks.ts';
import { requestIdFrom } from './request-id.ts';
import type { ServerContext } from './server-context.ts';
import { serveUsageCsv, USAGE_CSV_PATH } from './usage-csv.ts';
import { attachGraphQLWs } from './ws.ts';
import { createYogaApp } from './yoga.ts';

export interface CreateServerOptions {
  services: Services;
  schema: GraphQLSchema;
  /** A ready authenticator, or the configuration to build one (see authConfig). */
  auth: Authenticator | AuthConfig;
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Default: every interface. */
  host?: string;
  logger?: Logger;
  /** Checks of /ready besides the built-in `database` and `migrations`, e.g. `{ projector: ... }`. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Read replicas (DATABASE_READ_URL): queries read there (read-routing/plugin.ts), /ready and /metrics show them.
   * Without it every read is on the primary; mutations still answer their cursor.
   */
  readReplicas?: ReadReplicas;
  /** Projector lag for /metrics. */
  projectionLag?: () => Promise<readonly ProjectionLag[]> | readonly ProjectionLag[];
  /** More yoga/envelop plugins, applied over HTTP, SSE and WebSocket alike (shared live execution is built in). */
  plugins?: Plugin[];
  /** drizzle's journal, to tell pending migrations. Default: drizzle/meta/_journal.json of this repository. */
  migrationsJournal?: string;
  /** Operations one WebSocket may run at once. Default 1000. */
  maxOperationsPerSocket?: number;
  /** How long close() lets in-flight HTTP requests finish. Default 5000 ms. */
  shutdownGraceMs?: number;
  /**
   * Serve plain JSON POSTs through yoga's envelop directly (json-post.ts) rather than yoga's Fetch API layer.
   * Default true; false sends every request through yoga (the tests compare the two answers).
   */
  jsonPostPath?: boolean;
  /** Which other origins' pages may call the API (cors.ts, CORS_ORIGINS). Default: local origins, as in development. */
  cors?: CorsPolicy;
  /** How long a request body may stall before 408 and a close (body-timeout.ts). Default BODY_IDLE_TIMEOUT_MS. */
  bodyIdleTimeoutMs?: number;
  /** GraphiQL at GET /graphql (text/html) and its files under /graphiql/. Default: on, without demo users. */
  graphiql?: GraphiQLConfig;
  /** Answer introspection queries. Default: as GraphiQL (which needs it for its docs and completion). */
  introspection?: boolean;
  /** Serve /metrics on this port alone (0 picks a free one) instead of on `port`. Default: on `port`. */
  metricsPort?: number;
  /**
   * The portal (the web app, built into `dir`) at / and every path the API does not own. Default: web/dist of this
   * repository. `false`: no portal, those paths answer 404.
   */
  portal?: { dir?: string } | false;
  /** How the portal signs in: GET /auth/config, and /auth/dev-users in development. Default: neither method. */
  portalAuth?: PortalAuth;
}

export interface DvmmServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  metrics: Metrics;
  /** Where /metrics answers: on `port`, or on the metrics port when one was given. */
  metricsUrl: string;
  /** Stops accepting, closes WebSockets (1001) and SSE streams, waits for in-flight requests (bounded), stops. */
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
const defaultJournal = fileURLToPath(new URL('../../drizzle/meta/_journal.json', import.meta.url));
// Two levels up from src/http/ and from dist/http/ alike.
export const DEFAULT_PORTAL_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * One Node HTTP server: yoga on /graphql (HTTP, SSE), GraphiQL (graphiql.ts), graphql-ws on the same path, and /health,
 * /ready, /metrics. Resolves once listening.
 */
export async function createServer(options: CreateServerOptions): Promise<DvmmServer> {
  const logger = options.logger ?? consoleLogger;
  const authenticator = 'authenticate' in options.auth ? options.auth : createAuthenticator(options.auth);
  const live = options.services.live;
  const readers = options.readReplicas ?? createReadReplicas({ primary: options.services, urls: [], projections: [] });
  const metrics = createMetrics({
    subscriberCount: () => live.subscriberCount(),
    ...(readers.enabled ? { readReplicas: readers } : {}),
    ...(options.projectionLag ? { projectionLag: options.projectionLag } : {}),
  });
  // Errors already logged by maskError (yoga would log them again), and masked ones still without a request id.
  const logged = new WeakSet<object>();
  const unidentified = new WeakSet<object>();
  const maskError = createMaskError(logger, logged, unidentified);
  // One per server: yoga executes each change once for its subscribers, graphql-ws writes the results through it.
  const liveSocket = new LiveSocket();
  const yoga = createYogaApp({
    schema: options.schema,
    services: options.services,
    authenticator,
    metrics,
    logger,
    maskError,
    logged,
    unidentified,
    endpoint: GRAPHQL_PATH,
    cors: options.cors ?? { kind: 'local' },
    introspection: options.introspection ?? options.graphiql?.enabled ?? true,
    plugins: [liveSocket.plugin, useReadRouting(readers, createCallerPositions()), ...(options.plugins ?? [])],
  });
  const checks: Record<string, ReadinessCheck> = {
    database: databaseCheck(options.services.sql),
    migrations: migrationsCheck(options.services.sql, options.migrationsJournal ?? defaultJournal),
    ...options.readiness,
    ...replicaChecks(readers),
  };
  // One per server: a check's outage spans many polls of /ready.
  const checkLog = checkOutageLog((line) => logger.warn(line));
  const jsonPost =
    options.jsonPostPath === false ? null : createJsonPostHandler({ yoga, authenticator, maxBodyBytes: MAX_BODY_BYTES, maskError, unidentified, logger });
  const graphiql = createGraphiQL(options.graphiql ?? { enabled: true });
  const portal = options.portal === false ? null : createPortal(options.portal?.dir ?? DEFAULT_PORTAL_DIR, (line) => logger.warn(line));
  // yoga's node listener takes a server context after (req, res); its published type leaves that out.
  const handleGraphQL = yoga.requestListener as unknown as (req: IncomingMessage, res: ServerResponse, context: ServerContext) => Promise<void>;

  const inFlight = new Set<ServerResponse>();
  const respondingOn = (socket: Duplex) => [...inFlight].some((res) => res.socket === socket && res.headersSent);
  const server = createHttpServer((req, res) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const route = routeOf(req.url);
    res.setHeader('x-request-id', requestId);
    inFlight.add(res);
    guardBody(req, res, options.bodyIdleTimeoutMs ?? BODY_IDLE_TIMEOUT_MS);
    res.once('close', () => {
      inFlight.delete(res);
      metrics.httpRequest(req.method ?? 'UNKNOWN', route, res.statusCode);
    });
    serve(route, req, res, requestId).catch((error: unknown) => {
      // Answered already (a stalled body's 408, a cut-off body's 400) or the client is gone: reading the rest of the
      // body failed as the connection closed, which is no fault of the server's and leaves nothing to answer.
      if (res.writableEnded || req.socket.destroyed) return;
      logger.error('request failed', { requestId, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      if (!res.headersSent) json(res, 500, { error: 'Unexpected error.', requestId });
      else res.destroy();
    });
  });
  server.on('clientError', (error: Error, socket: Duplex) => answerClientError(error, socket, respondingOn(socket)));

  const serve = async (route: string, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const method = req.method ?? '';
    if (route === GRAPHQL_PATH) {
      if (graphiql?.wantsPage(req)) return graphiql.page(req, res);
      if (jsonPost?.accepts(req)) return jsonPost.handle(req, res, requestId);
      return handleGraphQL(req, res, { requestId });
    }
    if (route === GRAPHIQL_FILES_ROUTE && graphiql) return graphiql.files(req, res);
    if (method !== 'GET' && method !== 'HEAD') return json(res, 405, { error: 'Method not allowed' });
    if (route === '/health') return health(res);
    if (route === '/ready') return ready(res, checks, checkLog);
    if (route === '/metrics' && options.metricsPort === undefined) return metricsText(res, metrics);
    if (route === USAGE_CSV_PATH) return serveUsageCsv(req, res, authenticator, options.services.db);
    // `route` names only the API's own paths (it labels metrics); the portal's are many.
    const path = pathOf(req.url);
    if (isAuthRoute(path)) return serveAuthRoute(req, res, path, options.portalAuth ?? {});
    if (portal) return portal.serve(req, res, path);
    return json(res, 404, { error: 'Not found' });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Attached once listening: ws re-emits the server's errors, and graphql-ws prints a failed listen's stack trace.
  // No connection is accepted before this runs (the listen callback and this continuation precede any I/O).
  const ws = attachGraphQLWs({
    server,
    path: GRAPHQL_PATH,
    yoga,
    live: liveSocket,
    authenticator,
    metrics,
    logger,
    maxOperationsPerSocket: options.maxOperationsPerSocket ?? 1000,
  });
  // After the API's port, so a failure here has only that to close.
  let metricsListener: MetricsListener | null = null;
  if (options.metricsPort !== undefined) {
    metricsListener = await listenMetrics(metrics, options.metricsPort, options.host).catch(async (error: unknown) => {
      await shutdown();
      throw error;
    });
    logger.info(`metrics on ${metricsListener.url}`);
  }
  const address = server.address() as AddressInfo;
  const host = displayHost(options.host);
  logger.info(`listening on http://${host}:${address.port}${GRAPHQL_PATH}`, {
    auth: authenticator.describe(),
    cors: describeCors(options.cors ?? { kind: 'local' }),
  });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${host}:${address.port}${GRAPHQL_PATH}`,
    port: address.port,
    metrics,
    metricsUrl: metricsListener?.url ?? `http://${host}:${address.port}/metrics`,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown(): Promise<void> {
    await metricsListener?.close();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await ws.close();
    // SSE streams never finish on their own: end them, as a WebSocket is closed. Idle keep-alive sockets go too.
    for (const res of inFlight) if (isEventStream(res)) res.end();
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5_000);
    await stopped;
    clearTimeout(grace);
    await yoga.dispose();
  }
}

/** The path without its query. */
function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

/** The path for routing and as a metrics label: only known routes, so labels stay few. */
function routeOf(url: string | undefined): string {
  const path = pathOf(url);
  if (path.startsWith(`${GRAPHIQL_FILES_ROUTE}/`)) return GRAPHIQL_FILES_ROUTE;
  return [GRAPHQL_PATH, '/health', '/ready', '/metrics', USAGE_CSV_PATH].includes(path) ? path : 'other';
}

function isEventStream(res: ServerResponse): boolean {
  return String(res.getHeader('content-type') ?? '').includes('text/event-stream');
}

function displayHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
