import { randomBytes } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { createReadReplicas, type ReadReplicas } from '../../src/db/read-replicas.ts';
import { createEventStore } from '../../src/event-store/index.ts';
import { buildSchema, createLiveFeed, type Services } from '../../src/graphql/index.ts';
import { type AuthConfig, type Authenticator, createAuthenticator, mintToken } from '../../src/http/auth.ts';
import type { GraphiQLConfig } from '../../src/http/graphiql.ts';
import type { CorsPolicy } from '../../src/http/cors.ts';
import type { Logger } from '../../src/http/logger.ts';
import type { PortalAuth } from '../../src/http/portal/auth-routes.ts';
import { projectionLag, projectorReadiness } from '../../src/http/projector-health.ts';
import type { ReadinessCheck } from '../../src/http/readiness.ts';
import { createServer, type DvmmServer } from '../../src/http/server.ts';
import { PROJECTIONS, type Projector, startProjector } from '../../src/projections/index.ts';
import {
  createSimulatedHypervisor,
  type ProvisioningOptions,
  type ProvisioningProcess,
  type SimulatedHypervisor,
  type SimulatedHypervisorOptions,
  startProvisioning,
} from '../../src/provisioning/index.ts';
import { createIpAllocator } from '../../src/provisioning/ip-allocations.ts';
import { createTenantHypervisors } from '../../src/provisioning/tenant-hypervisors.ts';
import { loadVsphereAdapter } from '../../src/provisioning/vsphere-loader.ts';
import type { CreateVsphereHypervisor } from '../../src/provisioning/vsphere/settings.ts';
import { createSecretBox, parseKeyring } from '../../src/secrets/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { type PrincipalLike, tokenClaims } from './personas.ts';

export type { PrincipalLike } from './personas.ts';

export interface TestServerOptions {
  /** Default: the real schema (src/graphql/schema.ts). */
  schema?: GraphQLSchema;
  /** Share a database with another server (two instances on one database); default: a fresh one, dropped on close. */
  database?: TestDatabase;
  /** Default: HS256 with a random secret. Give `jwksUrl`, `issuer`, `audience` to test those paths. */
  auth?: AuthConfig | Authenticator;
  /** Run the projector (default true). Without it, read models stay empty. */
  projector?: boolean;
  /** The projector's fallback poll (default 200 ms, so a lost wake-up costs tests little). */
  pollIntervalMs?: number;
  /** Distinct requests a slow change-feed subscriber may hold (the live feed's default otherwise). */
  liveCapacity?: number;
  /** Checks of /ready besides database, migrations and (with the projector) projector. */
  readiness?: Record<string, ReadinessCheck>;
  /** drizzle journal /ready compares against (to test pending migrations). */
  migrationsJournal?: string;
  plugins?: Plugin[];
  maxOperationsPerSocket?: number;
  /** false: every HTTP request through yoga, none through the JSON POST path (src/http/json-post.ts). */
  jsonPostPath?: boolean;
  /** Which other origins may call the API (src/http/cors.ts); default: local origins, as in development. */
  cors?: CorsPolicy;
  /** Serve /metrics on a port of its own (0: a free one), as METRICS_PORT does; `server.metricsUrl` says where. */
  metricsPort?: number;
  /** GraphiQL's configuration (default: on, without demo users), and whether introspection is answered. */
  graphiql?: GraphiQLConfig;
  introspection?: boolean;
  /**
   * Run the provisioning process in this server, on the simulated hypervisor (e.g. `{ stageMs: 30 }`); stopped on
   * close. Polls default to 50 ms so tests wait little; `options` overrides the process's pacing.
   */
  provisioning?: SimulatedHypervisorOptions & { options?: Partial<ProvisioningOptions> };
  /** How the portal signs in (GET /auth/config, /auth/dev-users); default: no method, as in production. */
  portalAuth?: PortalAuth;
  /** Read replicas (DATABASE_READ_URL and its bounds): queries and the live feed's reads go there; stopped on close. */
  readReplicas?: { urls: string[]; waitMs?: number; maxLagMs?: number };
  /** Listen on this port (default 0: a free one), e.g. to restart a server where its clients reconnect. */
  port?: number;
  /** Where the portal's build is (default web/dist), or false for none. */
  portal?: { dir?: string } | false;
  /**
   * Tenants' vCenter connections: DVMM_SECRETS_KEYS (default: one random key), whether unconfigured tenants may be
   * simulated (default true: approvals are never refused for want of a connection), and the adapter to use.
   */
  vmware?: {
    keys?: string;
    simulateUnconfigured?: boolean;
    production?: boolean;
    loadVsphere?: () => Promise<CreateVsphereHypervisor>;
    /** Provisioning (with `provisioning`) goes through the per-tenant router, to each tenant's vCenter. */
    routeTenants?: boolean;
  };
}

export interface TestServer {
  /** http://127.0.0.1:port/graphql */
  url: string;
  /** ws://127.0.0.1:port/graphql */
  wsUrl: string;
  /** http://127.0.0.1:port, for /health, /ready and /metrics. */
  origin: string;
  /** A valid HS256 token for this server (valid 1 h unless `expiresIn` says otherwise). */
  token(who: PrincipalLike, options?: { expiresIn?: string | number }): Promise<string>;
  /** `{ authorization: 'Bearer ...' }` for fetch headers and graphql-ws connectionParams. */
  authHeader(who: PrincipalLike): Promise<{ authorization: string }>;
  services: Services;
  database: TestDatabase;
  /** Null when started with `projector: false`. */
  projector: Projector | null;
  /** Null unless started with `provisioning`. */
  provisioning: { process: ProvisioningProcess; hypervisor: SimulatedHypervisor } | null;
  /** Where reads go (with `readReplicas`: those replicas, else the primary alone). */
  readReplicas: ReadReplicas;
  /** Every line the server logged (it prints nothing), for tests about logging and masking. */
  logs: string[];
  server: DvmmServer;
  close(): Promise<void>;
}

/**
 * The real service on a free port for end-to-end tests: a fresh test database (or the one given), event store,
 * projector, live feed and the HTTP server with the real schema. Talk to it with fetch, graphql-ws or SSE
 * clients; mint tokens with `token(...)`.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownDatabase = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  const logs: string[] = [];
  const log = (line: string) => void logs.push(line);
  const logger = captureLogger(logs);
  const secret = randomBytes(32).toString('base64url');
  const auth = options.auth ?? { secret, secretSource: 'options' as const };
  const signing = 'authenticate' in auth ? { secret } : { secret: auth.secret ?? secret, issuer: auth.issuer, audience: auth.audience };

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`[test-server] stop failed: ${String(error)}`));
  };
  try {
    if (ownDatabase) stops.push(() => database.close());
    const store = createEventStore(database.sql);
    stops.push(() => store.flush());
    const projector =
      options.projector === false
        ? null
        : await startProjector({
            sql: database.sql,
            projections: PROJECTIONS,
            log,
            pollIntervalMs: options.pollIntervalMs ?? 200,
            // As main.ts does with read replicas: read-model commits reach them without waiting for the WAL writer.
            ...(options.readReplicas ? { synchronousCommit: true } : {}),
          });
    if (projector) stops.push(() => projector.stop());
    const readReplicas = createReadReplicas({
      primary: database,
      urls: options.readReplicas?.urls ?? [],
      projections: PROJECTIONS.map((projection) => projection.name),
      ...(options.readReplicas?.waitMs !== undefined ? { waitMs: options.readReplicas.waitMs } : {}),
      ...(options.readReplicas?.maxLagMs !== undefined ? { maxLagMs: options.readReplicas.maxLagMs } : {}),
      poolMax: 5,
      log,
    });
    await readReplicas.start();
    stops.push(() => readReplicas.stop());
    const live = createLiveFeed({
      sql: database.sql,
      db: database.db,
      store,
      log,
      readers: readReplicas,
      ...(options.liveCapacity ? { capacity: options.liveCapacity } : {}),
    });
    await live.start();
    stops.push(() => live.stop());

    const vmwareOptions = options.vmware ?? {};
    const secrets = createSecretBox(parseKeyring(vmwareOptions.keys ?? `test:${randomBytes(32).toString('base64')}`, 'the test keys'));
    const production = vmwareOptions.production ?? false;
    const loadVsphere = vmwareOptions.loadVsphere ?? loadVsphereAdapter;
    const commands = createCommandHandlers(store, { secrets, production, simulateUnconfigured: vmwareOptions.simulateUnconfigured ?? true });
    const services: Services = { sql: database.sql, db: database.db, store, live, commands, vmware: { secrets, production, loadVsphere } };
    const server = await createServer({
      services,
      schema: options.schema ?? buildSchema(),
      auth: 'authenticate' in auth ? auth : createAuthenticator(auth),
      port: options.port ?? 0,
      host: '127.0.0.1',
      logger,
      readiness: { ...(projector ? { projector: projectorReadiness(projector) } : {}), ...options.readiness },
      projectionLag: () => projectionLag(database.sql),
      readReplicas,
      ...(options.migrationsJournal ? { migrationsJournal: options.migrationsJournal } : {}),
      plugins: [...(options.plugins ?? [])],
      ...(options.maxOperationsPerSocket ? { maxOperationsPerSocket: options.maxOperationsPerSocket } : {}),
      ...(options.jsonPostPath === false ? { jsonPostPath: false } : {}),
      ...(options.cors ? { cors: options.cors } : {}),
      ...(options.metricsPort !== undefined ? { metricsPort: options.metricsPort } : {}),
      ...(options.graphiql ? { graphiql: options.graphiql } : {}),
      ...(options.introspection !== undefined ? { introspection: options.introspection } : {}),
      ...(options.portalAuth ? { portalAuth: options.portalAuth } : {}),
      ...(options.portal !== undefined ? { portal: options.portal } : {}),
      shutdownGraceMs: 1_000,
    });
    stops.push(() => server.close());

    let provisioning: TestServer['provisioning'] = null;
    if (options.provisioning) {
      const { options: pacing, ...simulated } = options.provisioning;
      const hypervisor = createSimulatedHypervisor(simulated);
      const routed = vmwareOptions.routeTenants
        ? createTenantHypervisors({
            sql: database.sql,
            secrets,
            loadVsphere,
            simulated: vmwareOptions.simulateUnconfigured === false ? null : hypervisor,
            ipAllocator: createIpAllocator(database.sql),
            vsphere: { production, log },
            log,
          })
        : null;
      if (routed) stops.push(() => routed.close());
      const process = await startProvisioning({
        sql: database.sql,
        store,
        hypervisor: routed ?? hypervisor,
        options: { pollIntervalMs: 50, projectorPollIntervalMs: 50, ...pacing },
        log,
      });
      stops.push(() => process.stop());
      provisioning = { process, hypervisor };
    }

    const token = (who: PrincipalLike, tokenOptions: { expiresIn?: string | number } = {}) =>
      mintToken(
        { ...tokenClaims(who), expiresIn: tokenOptions.expiresIn ?? '1h' },
        {
          secret: signing.secret,
          ...(signing.issuer ? { issuer: signing.issuer } : {}),
          ...(signing.audience ? { audience: signing.audience } : {}),
        },
      );
    let closed: Promise<void> | undefined;
    return {
      url: server.url,
      wsUrl: server.wsUrl,
      origin: new URL(server.url).origin,
      token,
      authHeader: async (who) => ({ authorization: `Bearer ${await token(who)}` }),
      services,
      database,
      projector,
      provisioning,
      readReplicas,
      logs,
      server,
      close: () => (closed ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function captureLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string, details?: Record<string, unknown>) =>
    void lines.push(`${level} ${message}${details ? ` ${JSON.stringify(details)}` : ''}`);
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

/** One GraphQL POST with fetch; the body is parsed whatever the status. */
export async function postGraphQL(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  const text = await response.text();
  let body: GraphQLResponse['body'];
  try {
    body = JSON.parse(text) as GraphQLResponse['body'];
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body };
}
