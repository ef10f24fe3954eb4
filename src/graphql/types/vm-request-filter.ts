import { builder } from '../builder.ts';
import { VmRequestStatusEnum } from './enums.ts';

export const VmRequestFilter = builder.inputType('VmRequestFilter', {
  fields: (t) => ({
    projectId: t.id({ required: false }),
    status: t.field({ type: [VmRequestStatusEnum], required: false, description: 'Any of these statuses.' }),
    mine: t.boolean({ required: false, description: "Only the caller's own requests (admins otherwise see all)." }),
  }),
});
