import type { RecordedEvent } from '../../event-store/index.ts';
import { builder } from '../builder.ts';
import type { AuditTrailView } from '../read/audit-trail.ts';
import { DateTimeScalar, JsonScalar } from './scalars.ts';

export const AuditEventRef = builder.objectRef<RecordedEvent>('AuditEvent').implement({
  description: 'A stored event exactly as the event store holds it.',
  fields: (t) => ({
    position: t.string({ resolve: (event) => event.position.toString() }),
    streamVersion: t.exposeInt('streamVersion'),
    type: t.exposeString('type'),
    data: t.field({ type: JsonScalar, resolve: (event) => event.data }),
    metadata: t.field({ type: JsonScalar, resolve: (event) => event.metadata }),
    recordedAt: t.expose('recordedAt', { type: DateTimeScalar }),
    hash: t.exposeString('hash'),
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
    events: t.field({ type: [AuditEventRef], resolve: (trail) => trail.events }),
  }),
});
