/**
 * `npm start`: the whole service in one process. Database (embedded unless DATABASE_URL; migrations applied),
 * event store, projector, provisioning, live change feed and the HTTP server on PORT. With an empty database (and
 * not in production) it seeds the demo tenant and prints the GraphiQL URL with ready-to-paste tokens.
 * SIGINT/SIGTERM shut it down in order; a second signal exits at once.
 */
import { ConfigError } from './config-error.ts';
import { describeSealing, type SealerConfig, sealerConfig } from './audit/sealer-config.ts';
import { createCommandHandlers } from './commands/index.ts';
import { startSealer } from './audit/sealer.ts';
import { type Config, loadConfig } from './config/index.ts';
import { openDatabase, type Database } from './db/index.ts';
import { demoAdmin, demoUser } from './demo/users.ts';
import { isEmptyStore, seedDemo } from './demo/seed.ts';
import { createEventStore, type EventStore } from './event-store/index.ts';
import { buildSchema, createLiveFeed, type Services } from './graphql/index.ts';
import { type AuthConfig, createAuthenticator } from './http/auth.ts';
import { authConfig } from './http/auth/config.ts';
import { devTokenBanner, devTokens } from './http/dev-tokens.ts';
import { ensurePortalBuilt } from './http/portal/build.ts';
import { portalSignInMethods } from './http/portal/sign-in-methods.ts';
import { consoleLogger } from './http/logger.ts';
import { liveFeedReadiness, projectionLag, projectorReadiness, provisioningReadiness } from './http/projector-health.ts';
import { useDatabaseGate } from './http/plugins/database-gate.ts';
import { createAvailability } from './db/availability.ts';
import { createReadReplicas } from './db/read-replicas.ts';
import { assertCanListen, listenError } from './http/listen-errors.ts';
import { type CorsPolicy, corsPolicy } from './http/cors.ts';
import { createServer, type DvmmServer } from './http/server.ts';
import { PROJECTIONS, type Projector, startProjector } from './projections/index.ts';
import { startVersionPruner } from './projections/version-pruner.ts';
import { startProvisioningFromEnv } from './provisioning/index.ts';
import { loadVsphereAdapter } from './provisioning/vsphere-loader.ts';
import { createSecretBox, describeSecrets, type Keyring, secretsKeyring } from './secrets/index.ts';

/** The configuration (src/config/) with the CORS policy it asks for. */
type MainConfig = Config & { cors: CorsPolicy };

/** A running service; `stop` undoes `start` in reverse order. */
interface Running {
  stop(): Promise<void>;
}

async function start(config: MainConfig, auth: AuthConfig, sealing: SealerConfig, keyring: Keyring): Promise<Running> {
  const log = (line: string) => console.log(line);
  const stack: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of stack.reverse()) {
      try {
        await part.stop();
        log(`[main] stopped ${part.name}`);
      } catch (error) {
        console.error(`[main] stopping ${part.name} failed: ${(error as Error).message}`);
      }
    }
  };

  try {
    // Beside the database's start; a failed build leaves the API up and / answering how to build.
    const portalBuild = config.production
      ? Promise.resolve()
      : ensurePortalBuilt(log).then(
          () => {},
          (error: unknown) => console.error(`[portal] build failed, the API runs without it: ${(error as Error).message}`),
        );
    const database: Database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, max: config.poolMax, log });
    stack.push({ name: 'database', stop: () => database.close() });

    const store: EventStore = createEventStore(database.sql);
    // A pending wake-up NOTIFY goes out before the pool closes.
    stack.push({ name: 'event store', stop: () => store.flush() });
    // Tenants' vCenter passwords are stored encrypted with these keys (src/secrets/), never in events.
    log(describeSecrets(keyring));
    const secrets = createSecretBox(keyring);
    // One set shared by the API, provisioning and the demo seed, so the process decides on one project cache.
    const commands = createCommandHandlers(store, {
      secrets,
      production: config.production,
      simulateUnconfigured: config.provisioning.simulateUnconfigured,
    });

    // With read replicas, read models commit synchronously: an asynchronous commit reaches the WAL sender only when
    // the WAL writer flushes it (wal_writer_delay, 200 ms by default), so a reader waiting on a replica for its own
    // write would mostly wait out READ_REPLICA_WAIT_MS and read the primary.
    const projector: Projector = await startProjector({
      sql: database.sql,
      projections: PROJECTIONS,
      log,
      ...(config.readReplicas.urls.length > 0 ? { synchronousCommit: true } : {}),
    });
    stack.push({ name: 'projector', stop: () => projector.stop() });
    // Keeps vm_request_versions to the retention (one instance at a time prunes; see version-pruner.ts).
    const pruner = startVersionPruner({ sql: database.sql, retentionMs: config.versionRetentionMs, log });
    stack.push({ name: 'version pruner', stop: () => pruner.stop() });

    // The audit trail's global hash chain and signed seals, kept after commit, off the append path (src/audit/).
    log(describeSealing(sealing));
    const sealer = await startSealer({ sql: database.sql, key: sealing.key, sealIntervalMs: sealing.sealIntervalMs, log });
    stack.push({ name: 'sealer', stop: () => sealer.stop() });

    // Drives approved requests through the hypervisor (simulated by default); null when PROVISIONING_ENABLED=false.
    const provisioning = await startProvisioningFromEnv({ sql: database.sql, store, config, commands, secrets, log });
    if (provisioning) stack.push({ name: 'provisioning', stop: () => provisioning.stop() });

    // Queries and the live feed's reads of versions go to these when DATABASE_READ_URL names any (read-replicas.ts).
    const readReplicas = createReadReplicas({
      primary: database,
      urls: config.readReplicas.urls,
      projections: PROJECTIONS.map((projection) => projection.name),
      waitMs: config.readReplicas.waitMs,
      maxLagMs: config.readReplicas.maxLagMs,
      poolMax: config.poolMax,
      log,
    });
    await readReplicas.start();
    stack.push({ name: 'read replicas', stop: () => readReplicas.stop() });

    const live = createLiveFeed({ sql: database.sql, db: database.db, store, log, readers: readReplicas });
    await live.start();
    stack.push({ name: 'live feed', stop: () => live.stop() });

    // Before the server listens, so the first client already finds the demo tenant's events.
    if (config.demoSeed && (await isEmptyStore(store))) {
      const seeded = await seedDemo(store, commands);
      log(`[main] empty database: seeded the demo tenant ${demoAdmin.tenantId} (${seeded.projectIds.length} projects, users ${demoAdmin.userId} and ${demoUser.userId})`);
      // The printed URL should show the demo data at once, not after the projector's next batch on a busy machine;
      // bounded, since a projector led by another process is not waited for and a stalled one may take a while.
      await waitAtMost(projector.caughtUp(), 30_000);
    }

    const vmware = { secrets, production: config.production, loadVsphere: loadVsphereAdapter };
    const services: Services = { sql: database.sql, db: database.db, store, live, commands, vmware };
    // During a database outage, queries and mutations are answered 503 at once (see db/availability.ts).
    const availability = createAvailability(database.sql, { log });
    stack.push({ name: 'availability', stop: async () => availability.stop() });
    await portalBuild;
    // Another process can take the port after main checked it: the same one-line message then.
    const server: DvmmServer = await createServer({
      services,
      schema: buildSchema(),
      // One execution per change and subscription operation, shared by every subscriber (see shared-execution.ts).
      plugins: [useDatabaseGate(availability)],
      readReplicas,
      auth: createAuthenticator(auth),
      port: config.port,
      host: config.host,
      cors: config.cors,
      logger: consoleLogger,
      readiness: {
        projector: projectorReadiness(projector),
        live: liveFeedReadiness(live),
        ...(provisioning ? { provisioning: provisioningReadiness(provisioning) } : {}),
      },
      projectionLag: () => projectionLag(database.sql),
      graphiql: {
        enabled: config.graphiql,
        prepareAtStart: true,
        // The demo users' tokens for GraphiQL's picker: development only, as the tokens printed below.
        ...(config.production ? {} : { demoUsers: () => devTokens(auth, [demoUser, demoAdmin]) }),
      },
      introspection: config.introspection,
      // The portal's development sign-in offers the same demo users; production signs in through OIDC only.
      portalAuth: portalSignInMethods(config, () => devTokens(auth, [demoUser, demoAdmin])),
      ...(config.metricsPort !== undefined ? { metricsPort: config.metricsPort } : {}),
    }).catch((error: unknown) => {
      throw listenError(error, { PORT: config.port }, config.host);
    });
    stack.push({ name: 'server', stop: () => server.close() });

    // Tokens only make sense where the demo users exist or may be created; never print credentials in production.
    if (!config.production) console.log(devTokenBanner(server.url, await devTokens(auth, [demoUser, demoAdmin])));
    else log(`[main] serving ${server.url}`);

    return { stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

// Generous: the projector finishes its batch, provisioning lets running steps reach a safe point.
const SHUTDOWN_TIMEOUT_MS = 30_000;

/** Resolves when `promise` settles or after `ms`, whichever is first; a rejection is the caller's concern elsewhere. */
async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise.catch(() => {}), timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  // Configuration errors (a bad PORT, production without JWT_SECRET) stop us before anything starts.
  const settings = loadConfig();
  const config: MainConfig = { ...settings, cors: corsPolicy(settings) };
  const auth = authConfig(settings);
  const sealing = sealerConfig(settings);
  // Production without DVMM_SECRETS_KEYS stops here, before anything starts.
  const keyring = secretsKeyring(settings);
  // Before the database starts: a taken port fails in a moment, not after starting, migrating and seeding.
  await assertCanListen('PORT', config.port, config.host);
  if (config.metricsPort !== undefined) await assertCanListen('METRICS_PORT', config.metricsPort, config.host);
  const running = await start(config, auth, sealing, keyring);

  let stoppingSince = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince > 0) {
      // The same Ctrl-C can arrive twice (from the terminal and relayed by npm/tsx): only a later one forces.
      if (Date.now() - stoppingSince < 1_000) return;
      console.error(`[main] ${signal} again: exiting now`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.log(`[main] ${signal}: shutting down`);
    const timer = setTimeout(() => {
      console.error(`[main] shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    running.stop().then(
      () => {
        console.log('[main] stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`[main] shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  // The user's to fix (a variable, a port): the message is all they need. Anything else is ours: the stack too.
  if (error instanceof ConfigError) console.error(`[main] ${error.message}`);
  else console.error(`[main] failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
