import { builder } from '../builder.ts';
import { VmRequestStatusEnum } from './enums.ts';

export const SEARCH_DESCRIPTION =
  'Part of the VM name, in any case (`web` matches `web-01` and `my-web`); `%`, `_` and `\\` match only themselves. Blank: no search. More than 63 characters (no VM name is longer) is a BAD_USER_INPUT error.';

export const VmRequestFilter = builder.inputType('VmRequestFilter', {
  description: 'Narrows a list of requests; all given conditions apply, after the visibility rules.',
  fields: (t) => ({
    projectId: t.id({ required: false, description: 'Only requests of this project. An id that is not a project id matches nothing.' }),
    status: t.field({ type: [VmRequestStatusEnum], required: false, description: 'Any of these statuses.' }),
    mine: t.boolean({ required: false, description: "Only the caller's own requests (admins otherwise see all)." }),
    search: t.string({ required: false, description: SEARCH_DESCRIPTION }),
  }),
});
