import { builder } from '../builder.ts';
import type { TimelineEntryView } from '../read/timeline.ts';
import { DateTimeScalar } from './scalars.ts';
import { TimelineEntryTypeEnum } from './timeline-entry-type.ts';

export const TimelineEntryRef = builder.objectRef<TimelineEntryView>('TimelineEntry').implement({
  description: 'One lifecycle event of a request, as a person reads it.',
  fields: (t) => ({
    type: t.expose('type', { type: TimelineEntryTypeEnum }),
    actorId: t.exposeID('actorId', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: DateTimeScalar }),
    details: t.exposeString('details', { nullable: true }),
  }),
});
