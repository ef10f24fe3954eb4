import { builder } from '../builder.ts';
import type { TimelineEntryView } from '../read/timeline.ts';
import { DateTimeScalar } from './scalars.ts';

export const TimelineEntryRef = builder.objectRef<TimelineEntryView>('TimelineEntry').implement({
  description: 'One lifecycle event of a request, as a person reads it.',
  fields: (t) => ({
    type: t.exposeString('type'),
    actorId: t.exposeID('actorId', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: DateTimeScalar }),
    details: t.exposeString('details', { nullable: true }),
  }),
});
