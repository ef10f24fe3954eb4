import { builder } from '../builder.ts';
import type { TimelineEntryView } from '../read/timeline.ts';
import { DateTimeScalar } from './scalars.ts';
import { TimelineEntryTypeEnum } from './timeline-entry-type.ts';

export const TimelineEntryRef = builder.objectRef<TimelineEntryView>('TimelineEntry').implement({
  description: 'One lifecycle event of a request, as a person reads it.',
  fields: (t) => ({
    type: t.expose('type', { type: TimelineEntryTypeEnum, description: 'What happened.' }),
    actorId: t.exposeID('actorId', { nullable: true, description: 'Who did it (a user id; `system:provisioning` for provisioning); null when unknown.' }),
    occurredAt: t.expose('occurredAt', { type: DateTimeScalar, description: 'When it happened.' }),
    details: t.exposeString('details', { nullable: true, description: 'A readable line about it (a reason, a stage, an error); null when there is nothing to add.' }),
  }),
});
