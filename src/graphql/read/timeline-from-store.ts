import { isVmRequestEvent, toDomainEvent } from '../../domain/index.ts';
import type { EventStore } from '../../event-store/index.ts';
import { timelineDetails } from '../../projections/timeline-entry.ts';
import type { TimelineEntryView } from './timeline.ts';

/**
 * The timeline folded straight from the event stream, with the projection's own wording. Used for a request a
 * command has just changed, which the read model may not show yet.
 */
export const timelineFromStore = async (
  store: EventStore,
  tenantId: string,
  requestId: string,
  version: number,
): Promise<TimelineEntryView[]> => {
  const events = await store.readStream(requestId);
  const entries: TimelineEntryView[] = [];
  for (const event of events) {
    if (event.tenantId !== tenantId || event.streamVersion > version) continue;
    const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
    if (!isVmRequestEvent(domain)) continue;
    const actorId = typeof event.metadata.userId === 'string' ? event.metadata.userId : null;
    const occurredAt = new Date(event.metadata.occurredAt);
    entries.push({
      type: domain.type,
      actorId,
      occurredAt: Number.isNaN(occurredAt.getTime()) ? event.recordedAt : occurredAt,
      details: timelineDetails(domain, actorId),
      streamVersion: event.streamVersion,
    });
  }
  return entries;
};
