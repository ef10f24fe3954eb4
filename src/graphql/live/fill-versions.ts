import { getTableColumns } from 'drizzle-orm';
import type postgres from 'postgres';
import { isEventType, isVmRequestEvent, toDomainEvent } from '../../domain/events.ts';
import type { EventStore, GlobalCheckpoint } from '../../event-store/index.ts';
import { compareCheckpoints } from '../../projections/changes.ts';
import { vmRequestPatch, type VmRequestRecord } from '../../projections/vm-request-patch.ts';
import { type VmRequestRow, vmRequests } from '../../projections/vm-requests.table.ts';
import { changeFromRow } from './rows.ts';
import type { LiveChange } from './types.ts';

/**
 * Every version of a request, in order, even when the projector applied several of its events in one batch.
 *
 * The live feed reads rows, and a row holds only the last of the events a batch applied to it: VmRequestProvisioningStarted
 * and the CLONING progress appended back to back, or any burst under load, would reach subscribers as one state.
 * Before the feed fans a page out, `expand` finds the rows whose previous version it never delivered and rebuilds
 * those versions from the event store: the request's stream folded through `vmRequestPatch`, the very function the
 * projector applies, so each rebuilt state is exactly the row the read model held (or would have held had the
 * batch been smaller). Each rebuilt version gets the cursor of its own event: rows take the cursor of their last
 * event, so the rebuilt versions sort between the row's previous cursor and its new one, and a client resuming from
 * one of them gets the later versions once.
 *
 * The extra read happens only when versions were skipped: a bounded map remembers the last version delivered per
 * request; for a request it does not remember (new to this process, or evicted), one query per page fetches the
 * cursor of the version just before and compares it with how far the feed had delivered that tenant. A request a
 * vmRequestUpdated subscriber has just read, at a version the feed had passed, is remembered (`covered`), so the
 * first change after subscribing does not cost that query.
 *
 * The rebuilt versions go out as changes of their own, in cursor order with the rest of the page, and each of them
 * and the row's own change carry the rebuilt versions before them in `earlier`. The feed fans a page out in one go,
 * so a subscriber cannot pull between two of them: a request watcher, which holds one state, hands out the ones its
 * latest carries first (`earliestUndelivered`); a change feed gives them mailbox slots of their own (keyed by cursor,
 * not by request) within the same capacity, overflowing to a read-model replay as before. Only rebuilt versions get
 * this: a consumer that is behind for other reasons still collapses to the latest, as its bounded buffer says.
 *
 * A `vmRequestChanges` replay from `since` reads the read model and therefore gives the latest state per changed
 * row, not every version; a cursor of a rebuilt version is a valid `since` (the replay resumes after it). Known
 * limit: when the feed reads more than a page of rows at once (500 by default), a version older than the previous
 * page's last cursor is not rebuilt (delivering it would break the change feeds' cursor order).
 */
export interface VersionFiller {
  /**
   * The page's changes plus the versions they skipped, in cursor order. `cursorOf` says how far the feed has
   * delivered a tenant: versions at or below it are not rebuilt.
   */
  expand(changes: readonly LiveChange[], cursorOf: (tenantId: string) => GlobalCheckpoint): Promise<LiveChange[]>;
  /**
   * This version of the request is at or below the feed's cursor for its tenant (a subscriber just read it from the
   * read model): versions up to it need no rebuilding, so the request's next change costs no query to find out.
   */
  covered(id: string, version: number): void;
}

export interface VersionFillerOptions {
  sql: postgres.Sql;
  store: EventStore;
  /** Requests whose last delivered version is remembered. Default 10,000. */
  capacity?: number;
}

interface Gap {
  change: LiveChange;
  /** Rebuild versions after this one (the last delivered), or, when unknown, those after the tenant's cursor. */
  afterVersion: number;
  after: GlobalCheckpoint;
}

export const createVersionFiller = (options: VersionFillerOptions): VersionFiller => {
  const capacity = options.capacity ?? 10_000;
  const lastVersion = new Map<string, number>();
  const remember = (id: string, version: number): void => {
    lastVersion.delete(id);
    lastVersion.set(id, version);
    if (lastVersion.size > capacity) lastVersion.delete(lastVersion.keys().next().value!);
  };

  return {
    covered(id, version) {
      const known = lastVersion.get(id);
      if (known === undefined || known < version) remember(id, version);
    },

    async expand(changes, cursorOf) {
      const gaps: Gap[] = [];
      const unknown: LiveChange[] = [];
      for (const change of changes) {
        const { id, version, tenantId } = change.view;
        const after = cursorOf(tenantId);
        if (version > 1 && compareCheckpoints(change.checkpoint, after) > 0) {
          const known = lastVersion.get(id);
          if (known === undefined) unknown.push(change);
          else if (known < version - 1) gaps.push({ change, afterVersion: known, after });
        }
      }
      if (unknown.length > 0) {
        const previous = await previousCursors(options.sql, unknown);
        for (const change of unknown) {
          const cursor = previous.get(change.view.id);
          const after = cursorOf(change.view.tenantId);
          if (cursor && compareCheckpoints(cursor, after) > 0) gaps.push({ change, afterVersion: 0, after });
        }
      }
      for (const change of changes) remember(change.view.id, change.view.version);
      if (gaps.length === 0) return [...changes];

      const filled = await Promise.all(gaps.map((gap) => rebuild(options.store, gap)));
      const all: LiveChange[] = [...changes];
      for (const versions of filled) all.push(...versions);
      return all.sort((a, b) => compareCheckpoints(a.checkpoint, b.checkpoint));
    },
  };
};

/**
 * The first change to hand out when `change` is next: the oldest of the versions it carries that is newer than
 * what the subscriber delivered last, else the change itself.
 */
export const earliestUndelivered = (change: LiveChange, delivered: GlobalCheckpoint | null): LiveChange => {
  if (!change.earlier) return change;
  for (const version of change.earlier) {
    if (delivered === null || compareCheckpoints(version.checkpoint, delivered) > 0) return version;
  }
  return change;
};

/** The cursor of the version before each change's, from the event store (one query). */
const previousCursors = async (sql: postgres.Sql, changes: readonly LiveChange[]): Promise<Map<string, GlobalCheckpoint>> => {
  const rows = await sql<{ stream_id: string; transaction_id: string; position: string }[]>`
    select e.stream_id, e.transaction_id::text, e.position::text
    from unnest(${sql.array(changes.map((c) => c.view.id))}::text[], ${sql.array(changes.map((c) => c.view.version - 1))}::int[])
      as wanted(stream_id, stream_version)
    join events e on e.stream_id = wanted.stream_id and e.stream_version = wanted.stream_version`;
  return new Map(rows.map((row) => [row.stream_id, { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) }]));
};

/** The versions of the gap's request between the last delivered one and the change's, rebuilt as the projector would. */
const rebuild = async (store: EventStore, gap: Gap): Promise<LiveChange[]> => {
  const { change } = gap;
  const events = await store.readStream(change.view.id);
  const record: Partial<VmRequestRecord> = {};
  const versions: LiveChange[] = [];
  for (const event of events) {
    if (event.streamVersion >= change.view.version) break;
    if (!isEventType(event.type)) continue;
    const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
    if (!isVmRequestEvent(domain)) continue;
    Object.assign(record, vmRequestPatch(event, domain, change.view.id));
    const checkpoint = { transactionId: event.transactionId, position: event.position };
    if (event.streamVersion <= gap.afterVersion || compareCheckpoints(checkpoint, gap.after) <= 0) continue;
    const version = changeFromRow(rowFromRecord(record));
    if (change.view.project) version.view.project = change.view.project;
    version.earlier = [...versions];
    versions.push(version);
  }
  if (versions.length > 0) change.earlier = versions;
  return versions;
};

const COLUMNS = Object.entries(getTableColumns(vmRequests));

/** A patched record (column names, json values) as the row drizzle would have read. */
const rowFromRecord = (record: Partial<VmRequestRecord>): VmRequestRow => {
  const row: Record<string, unknown> = {};
  const values = record as Record<string, unknown>;
  for (const [key, column] of COLUMNS) {
    const value = values[column.name] ?? null;
    if (value === null) row[key] = null;
    else if (column.columnType === 'PgTimestamp') row[key] = new Date(value as string);
    else if (column.columnType === 'PgBigInt64') row[key] = BigInt(value as string);
    else row[key] = value;
  }
  return row as VmRequestRow;
};
