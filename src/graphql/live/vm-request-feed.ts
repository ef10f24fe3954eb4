import { readVmRequest } from '../../commands/index.ts';
import type { DrizzleDb } from '../../db/client.ts';
import type { ReadReplicas } from '../../db/read-replicas.ts';
import { canSeeVmRequest, isAdmin, isFinal } from '../../domain/index.ts';
import type { EventStore } from '../../event-store/index.ts';
import { createLiveFeed as createFeed, type LiveFeedOptions as FeedOptions } from '../../live/feed.ts';
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

  return {
    start: () => feed.start(),
    stop: () => feed.stop(),
    subscriberCount: () => feed.subscriberCount(),
    check: (timeoutMs) => feed.check(timeoutMs),
    bufferedChanges: () => feed.bufferedChanges(),
    cursorNow: async (at = db) => encodeCursor(await vmRequestCheckpoint(at)),

    async watchChanges(principal, { projectId, since, mine = false }) {
      // A user sees only their own requests anyway; `mine` puts an admin on the same route a user listens on.
      const ownOnly = mine || !isAdmin(principal);
      const stream = await feed.subscribe({
        tenantId: principal.tenantId,
        route: ownOnly ? requesterRoute(principal.userId) : ALL_REQUESTS,
        accepts: (change) =>
          canSeeVmRequest(principal, change.view) &&
          (!ownOnly || change.view.requesterId === principal.userId) &&
          (projectId === null || change.view.projectId === projectId),
        readPage: (after, limit, atLeast) =>
          readAt(atLeast, (reader) => visibleVersionsAfter(reader, principal, { projectId, mine: ownOnly }, after, limit)),
        since,
        emit: (change) => change,
      });
      return stream.live.iterator;
    },

    async watchProjectUsage(principal, projectId) {
      // Every request of the project, whoever made it: the subscriber gets the project (its usage), not the requests,
      // so a member learns nothing a query of Project.usage would not tell them. Admins' route carries them all.
      const stream = await feed.subscribe({
        tenantId: principal.tenantId,
        route: ALL_REQUESTS,
        accepts: (change) => change.view.projectId === projectId,
        readPage: (after, limit, atLeast) =>
          readAt(atLeast, (reader) => projectVersionsAfter(reader, principal.tenantId, projectId, after, limit)),
        since: null,
        emit: (change) => change,
      });
      return stream.live.iterator;
    },

    async watchRequest(principal, requestId) {
      const stream = await feed.subscribe({
        tenantId: principal.tenantId,
        route: requestRoute(requestId),
        accepts: (change) => change.view.id === requestId && canSeeVmRequest(principal, change.view),
        readPage: async (after, limit, atLeast) =>
          (await readAt(atLeast, (reader) => requestVersionsAfter(reader, requestId, after, limit))).filter((change) =>
            canSeeVmRequest(principal, change.view),
          ),
        since: null,
        emit: (change) => change.view,
        // READY is not the end: the VM may still be powered off and on, and decommissioned.
        finishesAfter: (change) => isFinal(change.view.status),
      });
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
