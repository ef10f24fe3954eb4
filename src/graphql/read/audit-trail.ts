import type { EventStore, RecordedEvent } from '../../event-store/index.ts';

export interface AuditTrailView {
  verified: boolean;
  events: RecordedEvent[];
}

/**
 * The request's raw events up to `version` (the state the caller is looking at) and whether its stream's hash
 * chain verifies. Events of another tenant never appear, whatever the stream holds.
 */
export const auditTrailOf = async (
  store: EventStore,
  tenantId: string,
  requestId: string,
  version: number,
): Promise<AuditTrailView> => {
  const [events, verification] = await Promise.all([store.readStream(requestId), store.verify(requestId)]);
  return {
    verified: verification.intact,
    events: events.filter((event) => event.tenantId === tenantId && event.streamVersion <= version),
  };
};
