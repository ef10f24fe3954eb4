import { randomBytes } from 'node:crypto';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { createDb, createSql, DEFAULT_POOL_MAX, type Sql } from '../../src/db/client.ts';
import { createEventStore, type EventStore } from '../../src/event-store/index.ts';
import { buildSchema, createLiveFeed } from '../../src/graphql/index.ts';
import { silentLogger } from '../../src/http/logger.ts';
import { createServer } from '../../src/http/server.ts';
import { PROJECTIONS, startProjector } from '../../src/projections/index.ts';

/** The service as `npm start` wires it (pool, store, projector, live feed, HTTP server), in this process. */
export interface BenchService {
  sql: Sql;
  store: EventStore;
  projector: Awaited<ReturnType<typeof startProjector>>;
  server: Awaited<ReturnType<typeof createServer>>;
  /** The HMAC secret the server verifies tokens with. */
  secret: string;
  stop(): Promise<void>;
}

/**
 * Starts the service on a free loopback port against `url`. In-process rather than `npm start` so a bench can read
 * the server's own CPU and heap; benches that need it as a separate process use support/instances.ts.
 */
export async function startBenchService(url: string, applicationName: string): Promise<BenchService> {
  const sql = createSql(url, { max: DEFAULT_POOL_MAX, applicationName });
  const store = createEventStore(sql);
  const projector = await startProjector({ sql, projections: PROJECTIONS, log: () => {} });
  const live = createLiveFeed({ sql, db: createDb(sql), store, log: () => {} });
  await live.start();
  const secret = randomBytes(32).toString('hex');
  const server = await createServer({
    services: { sql, db: createDb(sql), store, live, commands: createCommandHandlers(store) },
    schema: buildSchema(),
    auth: { secret },
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
  });
  return {
    sql,
    store,
    projector,
    server,
    secret,
    stop: async () => {
      await server.close();
      await live.stop();
      await projector.stop();
      await store.flush();
      await sql.end({ timeout: 5 });
    },
  };
}
