import type { RecordedEvent } from '../../event-store/index.ts';
import { builder } from '../builder.ts';
import type { AuditTrailView } from '../read/audit-trail.ts';
import { DateTimeScalar, JsonScalar } from './scalars.ts';

export const AuditEventRef = builder.objectRef<RecordedEvent>('AuditEvent').implement({
  description: 'A stored event exactly as the event store holds it.',
  fields: (t) => ({
    position: t.string({
      description: "The event's global position in the log (a decimal integer as text: it may exceed 2^53).",
      resolve: (event) => event.position.toString(),
    }),
    streamVersion: t.exposeInt('streamVersion', { description: "The event's number in its request's stream, from 1: the request's version after it." }),
    type: t.exposeString('type', { description: 'The event type, e.g. VmRequestCreated or VmRequestApproved (domain.md).' }),
    data: t.field({ type: JsonScalar, description: "The event's payload as stored.", resolve: (event) => event.data }),
    metadata: t.field({
      type: JsonScalar,
      description: 'Who and what caused it: tenantId, userId, correlationId, causationId, commandId, occurredAt.',
      resolve: (event) => event.metadata,
    }),
    recordedAt: t.expose('recordedAt', { type: DateTimeScalar, description: 'When the event store recorded it.' }),
    hash: t.exposeString('hash', { description: "Its link in the stream's hash chain (hex), covering the event and the hash before it." }),
  }),
});

export const AuditTrailRef = builder.objectRef<AuditTrailView>('AuditTrail').implement({
  description: "The request's events and whether its audit trail is intact.",
  fields: (t) => ({
    verified: t.exposeBoolean('verified', {
      description:
        "True when the request's stream hash chain is intact, every event of it in the log's global chain is still " +
        'there unchanged, and its read model is not ahead of its events.',
    }),
    sealedUpTo: t.string({
      nullable: true,
      description:
        'Position of the last event covered by the newest signed seal of the whole log (events up to it are checked ' +
        'against the signature by `cli verify`); null before the first seal.',
      resolve: (trail) => trail.sealedUpTo?.toString() ?? null,
    }),
    events: t.field({
      type: [AuditEventRef],
      description: "The request's events in stream order, up to the version shown.",
      resolve: (trail) => trail.events,
    }),
  }),
});
