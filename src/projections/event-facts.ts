import type { LogEvent } from '../event-store/read-all.ts';

const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** What Date#toISOString writes: already canonical, no need to parse it (replay calls this for every event). */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The aggregate id a stream belongs to: the stream id itself when it is a UUID, or the UUID it ends with
 * ("VmRequest-<uuid>"), so the read models do not depend on how command handling prefixes stream ids.
 */
export function entityId(event: LogEvent): string {
  const match = UUID_AT_END.exec(event.streamId);
  if (!match) throw new Error(`stream id ${JSON.stringify(event.streamId)} does not end with a UUID`);
  return match[1]!.toLowerCase();
}

/** When the event happened, as the command handler stamped it (falling back to when it was recorded), ISO 8601. */
export function eventTime(event: LogEvent): string {
  const occurredAt = event.metadata.occurredAt;
  if (typeof occurredAt === 'string') {
    if (CANONICAL_UTC.test(occurredAt)) return occurredAt;
    const time = Date.parse(occurredAt);
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  // new Date(): a pool that went through drizzle() returns timestamps as strings, whatever LogEvent says.
  return new Date(event.recordedAt as Date | string).toISOString();
}

/** The acting user of the event's command. */
export function actorOf(event: LogEvent): string | null {
  return typeof event.metadata.userId === 'string' ? event.metadata.userId : null;
}
