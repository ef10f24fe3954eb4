/**
 * A DVMM server for the GraphQL end-to-end tests: the real HTTP server (yoga + graphql-ws), the real projector,
 * the live feed and the schema, on one test database. Stands in until test/support/server.ts exists.
 */
import { randomBytes } from 'node:crypto';
import { buildSchema, createLiveFeed } from '../../src/graphql/index.ts';
import type { LiveFeed } from '../../src/graphql/context.ts';
import { createEventStore } from '../../src/event-store/index.ts';
import { mintToken, type TokenClaims } from '../../src/http/auth.ts';
import { silentLogger } from '../../src/http/logger.ts';
import { createServer } from '../../src/http/server.ts';
import { PROJECTIONS, startProjector } from '../../src/projections/index.ts';
import type { TestDatabase } from '../support/db.ts';

export interface GraphQLTestServer {
  url: string;
  wsUrl: string;
  live: LiveFeed;
  token(claims: Omit<TokenClaims, 'roles'> & { roles?: TokenClaims['roles'] }): Promise<string>;
  close(): Promise<void>;
}

export async function startGraphQLServer(
  t: TestDatabase,
  options: { capacity?: number; projector?: boolean } = {},
): Promise<GraphQLTestServer> {
  const store = createEventStore(t.sql);
  const live = createLiveFeed({ sql: t.sql, db: t.db, store, log: () => {}, ...(options.capacity ? { capacity: options.capacity } : {}) });
  await live.start();
  const projector =
    options.projector === false
      ? null
      : await startProjector({ sql: t.sql, projections: PROJECTIONS, log: () => {}, pollIntervalMs: 200 });
  const secret = randomBytes(32).toString('hex');
  const server = await createServer({
    services: { sql: t.sql, db: t.db, store, live },
    schema: buildSchema(),
    auth: { secret },
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
  });
  return {
    url: server.url,
    wsUrl: server.wsUrl,
    live,
    token: (claims) => mintToken({ roles: ['user'], ...claims }, { secret }),
    async close() {
      await server.close();
      await live.stop();
      await projector?.stop();
      await store.flush();
    },
  };
}
