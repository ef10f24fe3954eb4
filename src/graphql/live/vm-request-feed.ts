import { readVmRequest } from '../../commands/index.ts';
import type { DrizzleDb } from '../../db/client.ts';
import type { ReadReplicas } from '../../db/read-replicas.ts';
import { canSeeVmRequest, isAdmin, isFinal, type Principal } from '../../domain/index.ts';
import type { EventStore, GlobalCheckpoint } from '../../event-store/index.ts';
import { createLiveFeed as createFeed, type LiveFeedOptions as FeedOptions, type SubscribeOptions } from '../../live/feed.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { encodeCursor } from '../../projections/cursor.ts';
import type { LiveFeed } from '../context.ts';
import {
  ALL_REQUESTS,
  currentVersion,
  type LiveChange,
  onPrimary,
  projectVersionsAfter,
  type ReadAt,
  requestRoute,
  requestVersionsAfter,
  requesterRoute,
  visibleVersionsAfter,
  vmRequestCheckpoint,
  vmRequestSource,
} from './vm-request-source.ts';

export type LiveFeedOptions = Omit<FeedOptions<LiveChange>, 'source'> & {
  db: DrizzleDb;
  store: EventStore;
  /** Read replicas: versions are read on one that has the change (bounded wait), else on the primary. */
  readers?: ReadReplicas;
};

/**
 * The VM-request subscriptions over the process's live feed (src/live/): which route each subscriber listens on,
 * what it may see, and where it catches up from. The feed's LiveErrors pass through; the resolvers map them.
 */
export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const { db, store, readers, ...rest } = options;
  const readAt: ReadAt = readers ? (atLeast, read) => readers.read(atLeast, (handle) => read(handle.db)) : onPrimary(db);
  const source = vmRequestSource(db, readAt);
  const feed = createFeed<LiveChange>({ ...rest, source });

  // One of these per subscriber: classes (declared once per feed) rather than closures, since an idle subscriber's
  // every closure is memory held for as long as it stays connected.

  /** vmRequestChanges: a user sees only their own requests anyway; `mine` puts an admin on the same route. */
  class ChangesWatch implements SubscribeOptions<LiveChange, LiveChange> {
    readonly tenantId: string;
    readonly route: string;
    private readonly ownOnly: boolean;

    constructor(
      private readonly principal: Principal,
      private readonly projectId: string | null,
      readonly since: string | null,
      mine: boolean,
    ) {
      this.ownOnly = mine || !isAdmin(principal);
      this.tenantId = principal.tenantId;
      this.route = this.ownOnly ? requesterRoute(principal.userId) : ALL_REQUESTS;
    }

    accepts(change: LiveChange): boolean {
      return (
        canSeeVmRequest(this.principal, change.view) &&
        (!this.ownOnly || change.view.requesterId === this.principal.userId) &&
        (this.projectId === null || change.view.projectId === this.projectId)
      );
    }

    readPage(after: GlobalCheckpoint, limit: number, atLeast: GlobalCheckpoint): Promise<LiveChange[]> {
      return readAt(atLeast, (reader) => visibleVersionsAfter(reader, this.principal, { projectId: this.projectId, mine: this.ownOnly }, after, limit));
    }

    emit(change: LiveChange): LiveChange {
      return change;
    }
  }

  /** vmRequestUpdated: one request's versions, while the caller may see it. */
  class RequestWatch implements SubscribeOptions<LiveChange, VmRequestView> {
    readonly tenantId: string;
    readonly route: string;
    readonly since = null;

    constructor(
      private readonly principal: Principal,
      private readonly requestId: string,
    ) {
      this.tenantId = principal.tenantId;
      this.route = requestRoute(requestId);
    }

    accepts(change: LiveChange): boolean {
      return change.view.id === this.requestId && canSeeVmRequest(this.principal, change.view);
    }

    async readPage(after: GlobalCheckpoint, limit: number, atLeast: GlobalCheckpoint): Promise<LiveChange[]> {
      const changes = await readAt(atLeast, (reader) => requestVersionsAfter(reader, this.requestId, after, limit));
      return changes.filter((change) => canSeeVmRequest(this.principal, change.view));
    }

    emit(change: LiveChange): VmRequestView {
      return change.view;
    }

    // READY is not the end: the VM may still be powered off and on, and decommissioned.
    finishesAfter(change: LiveChange): boolean {
      return isFinal(change.view.status);
    }
  }

  /**
   * projectUsageChanged: every request of the project, whoever made it. The subscriber is handed the project (its
   * usage), not the requests, so a member learns nothing Project.usage would not tell them; admins' route has them all.
   */
  class ProjectUsageWatch implements SubscribeOptions<LiveChange, LiveChange> {
    readonly tenantId: string;
    readonly route = ALL_REQUESTS;
    readonly since = null;

    constructor(
      principal: Principal,
      private readonly projectId: string,
    ) {
      this.tenantId = principal.tenantId;
    }

    accepts(change: LiveChange): boolean {
      return change.view.projectId === this.projectId;
    }

    readPage(after: GlobalCheckpoint, limit: number, atLeast: GlobalCheckpoint): Promise<LiveChange[]> {
      return readAt(atLeast, (reader) => projectVersionsAfter(reader, this.tenantId, this.projectId, after, limit));
    }

    emit(change: LiveChange): LiveChange {
      return change;
    }
  }

  return {
    start: () => feed.start(),
    stop: () => feed.stop(),
    subscriberCount: () => feed.subscriberCount(),
    check: (timeoutMs) => feed.check(timeoutMs),
    bufferedChanges: () => feed.bufferedChanges(),
    cursorNow: async (at = db) => encodeCursor(await vmRequestCheckpoint(at)),

    async watchChanges(principal, { projectId, since, mine = false }) {
      const stream = await feed.subscribe(new ChangesWatch(principal, projectId, since, mine));
      return stream.live.iterator;
    },

    async watchProjectUsage(principal, projectId) {
      const stream = await feed.subscribe(new ProjectUsageWatch(principal, projectId));
      return stream.live.iterator;
    },

    async watchRequest(principal, requestId) {
      const stream = await feed.subscribe(new RequestWatch(principal, requestId));
      // Subscribed first, then read: a version committed after the read reaches the stream, and the ones at or
      // below the current state's cursor are dropped as already seen. No gap, no duplicate.
      try {
        const current = await readAt(feed.deliveredTo(principal.tenantId), (reader) => currentVersion(reader, principal, requestId));
        if (current) stream.resumeFrom(current);
        // Not in the read model yet (just created)? Then its first version is on the way through the feed.
        else if (!(await readVmRequest(store, principal, requestId)).ok) {
          stream.live.close();
          return null;
        }
      } catch (error) {
        stream.live.close();
        throw error;
      }
      return stream.live.iterator;
    },
  };
}

export type { LiveChange };
