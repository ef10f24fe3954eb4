import type postgres from 'postgres';
import type { DrizzleDb } from '../db/client.ts';
import type { Principal } from '../domain/principal.ts';
import type { EventStore } from '../event-store/index.ts';

/**
 * The long-lived parts every request shares, built once in main.ts. `live` is the process's change feed
 * (LISTEN dvmm_changes, fan-out to this process's subscribers); see src/graphql/live/.
 */
export interface Services {
  sql: postgres.Sql;
  db: DrizzleDb;
  store: EventStore;
  live: LiveFeed;
}

/** Per operation: who is calling (null when the token is missing or invalid) and an id for the logs. */
export interface GraphQLContext extends Services {
  principal: Principal | null;
  requestId: string;
}

/** Implemented in src/graphql/live/; declared here so the server and the schema agree on its shape. */
export interface LiveFeed {
  /** Starts listening (on its own direct connection); resolves once LISTEN is active. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Number of active subscribers in this process (for /metrics). */
  subscriberCount(): number;
}
