import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import type { VmRequestEventType } from '../../domain/index.ts';
import { vmRequestTimeline } from '../../projections/vm-requests.table.ts';

export interface TimelineEntryView {
  type: VmRequestEventType;
  actorId: string | null;
  occurredAt: Date;
  details: string | null;
  streamVersion: number;
}

/** Each request's lifecycle entries in stream order. */
export const timelinesOf = async (
  db: DrizzleDb,
  tenantId: string,
  requestIds: readonly string[],
): Promise<Map<string, TimelineEntryView[]>> => {
  const byRequest = new Map<string, TimelineEntryView[]>(requestIds.map((id) => [id, []]));
  if (requestIds.length === 0) return byRequest;
  const rows = await db
    .select()
    .from(vmRequestTimeline)
    .where(and(eq(vmRequestTimeline.tenantId, tenantId), inArray(vmRequestTimeline.requestId, [...requestIds])))
    .orderBy(asc(vmRequestTimeline.requestId), asc(vmRequestTimeline.streamVersion));
  for (const row of rows) {
    byRequest.get(row.requestId)?.push({
      // The projection writes the event's type, and only a VM request event's.
      type: row.type as VmRequestEventType,
      actorId: row.actorId,
      occurredAt: row.occurredAt,
      details: row.details,
      streamVersion: row.streamVersion,
    });
  }
  return byRequest;
};
