import { verifyStreamAudit } from '../../audit/verify-stream.ts';
import type { EventStore, RecordedEvent } from '../../event-store/index.ts';

export interface AuditTrailView {
  verified: boolean;
  /** Position of the newest signed seal's head; null before the first seal. */
  sealedUpTo: bigint | null;
  events: RecordedEvent[];
}

/**
 * The request's raw events up to `version` (the state the caller is looking at) and whether its audit trail
 * verifies: its stream's hash chain, its events in the global chain, its read model not ahead of it
 * (audit/verify-stream.ts). Events of another tenant never appear, whatever the stream holds.
 */
export const auditTrailOf = async (
  store: EventStore,
  tenantId: string,
  requestId: string,
  version: number,
): Promise<AuditTrailView> => {
  const [events, verification] = await Promise.all([store.readStream(requestId), verifyStreamAudit(store.sql, requestId)]);
  return {
    verified: verification.intact,
    sealedUpTo: verification.sealedUpTo,
    events: events.filter((event) => event.tenantId === tenantId && event.streamVersion <= version),
  };
};
