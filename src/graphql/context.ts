import type postgres from 'postgres';
import type { CommandHandlers } from '../commands/index.ts';
import type { DrizzleDb } from '../db/client.ts';
import type { Principal } from '../domain/principal.ts';
import type { EventStore } from '../event-store/index.ts';
import type { CreateVsphereHypervisor } from '../provisioning/vsphere/settings.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { LiveChange } from './live/vm-request-source.ts';
import type { VmRequestView } from './views/vm-request.ts';

/**
 * The long-lived parts every request shares, built once in main.ts. `live` is the process's change feed
 * (src/live/: LISTEN dvmm_changes, read versions, fan-out to this process's subscribers).
 */
export interface Services {
  sql: postgres.Sql;
  db: DrizzleDb;
  store: EventStore;
  live: LiveFeed;
  /**
   * The process's one set of command handlers (and so its one project cache): main.ts gives the same set to
   * provisioning and the demo seed, so every part of the process decides against the same cache.
   */
  commands: CommandHandlers;
  /** What testVmwareConnection needs (the stored password, the adapter); absent: that mutation is unavailable. */
  vmware?: VmwareServices;
}

export interface VmwareServices {
  /** Opens the stored password when a test leaves it out. */
  secrets: SecretBox;
  /** Refuses tls.insecure in tests of unsaved settings too. */
  production: boolean;
  /** The vSphere adapter's factory (src/provisioning/vsphere-loader.ts). */
  loadVsphere: () => Promise<CreateVsphereHypervisor>;
}

/** Per operation: who is calling (null when the token is missing or invalid) and an id for the logs. */
export interface GraphQLContext extends Services {
  principal: Principal | null;
  requestId: string;
  /**
   * Set for queries when reads are routed (src/http/read-routing/): the caller's later queries on this instance read
   * nothing older than `cursor` (liveCursor calls it, so a query after it never misses what its subscription skips).
   */
  raiseReadFloor?: (cursor: string) => void;
}

/**
 * The VM-request subscriptions over the live feed (src/graphql/live/vm-request-feed.ts); declared here so the server
 * and the schema agree on its shape. Refusals are LiveErrors (src/live/errors.ts), which the resolvers map.
 */
export interface LiveFeed {
  /** Starts listening (on its own direct connection); resolves once LISTEN is active. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Number of active subscribers in this process (for /metrics). */
  subscriberCount(): number;
  /** For /ready: a NOTIFY round trip through its LISTEN connection, and its reads of versions work. */
  check(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
  /** Changes held in this process for subscribers that have not taken them yet (bounded per subscriber). */
  bufferedChanges(): number;
  /**
   * vmRequestChanges: every version of the requests `principal` may see (of one project, if given; only their own
   * with `mine`), in cursor order, each once; with `since` (a cursor it handed out) it first replays every version
   * after it, under the same filter.
   */
  watchChanges(
    principal: Principal,
    filter: { projectId: string | null; since: string | null; mine?: boolean },
  ): Promise<AsyncIterableIterator<LiveChange>>;
  /**
   * projectUsageChanged: every version of every request of the project, whoever made it, from now on; the caller
   * must already be allowed to see the project (the subscription checks), and is handed only the project.
   */
  watchProjectUsage(principal: Principal, projectId: string): Promise<AsyncIterableIterator<LiveChange>>;
  /**
   * vmRequestUpdated: the request's current state, then every newer version, ending after a final status. Null
   * when the request does not exist or `principal` may not see it.
   */
  watchRequest(principal: Principal, requestId: string): Promise<AsyncIterableIterator<VmRequestView> | null>;
  /**
   * A cursor for where the feed stands now (the VM-request read model's checkpoint): every version committed after
   * it comes after this cursor, so a `since` of it misses nothing that a later read of the read model may not show.
   * `db`: the server the caller's query reads (a replica's checkpoint goes with that replica's rows); default primary.
   */
  cursorNow(db?: DrizzleDb): Promise<string>;
}
