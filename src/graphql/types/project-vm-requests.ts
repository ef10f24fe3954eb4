import { builder } from '../builder.ts';
import { vmRequestList } from '../queries/vm-request-list.ts';
import { VmRequestConnection } from './connections.ts';
import { VmRequestStatusEnum } from './enums.ts';
import { ProjectRef } from './project.ts';
import { SEARCH_DESCRIPTION } from './vm-request-filter.ts';
import { VmRequestRef } from './vm-request.ts';

// VmRequestFilter without projectId: the project is the one the field is on.
const ProjectVmRequestFilter = builder.inputType('ProjectVmRequestFilter', {
  description: "Narrows a project's requests; all given conditions apply.",
  fields: (t) => ({
    status: t.field({ type: [VmRequestStatusEnum], required: false, description: 'Any of these statuses.' }),
    mine: t.boolean({ required: false, description: "Only the caller's own requests (admins otherwise see all)." }),
    search: t.string({ required: false, description: SEARCH_DESCRIPTION }),
  }),
});

builder.objectField(ProjectRef, 'vmRequests', (t) =>
  t.connection(
    {
      type: VmRequestRef,
      description:
        "This project's requests visible to the caller (a user: their own; an admin: all), newest first: the same list as Query.vmRequests with filter.projectId set to this project. One query per project: meant for one project's page, not for every project of a list.",
      args: { filter: t.arg({ type: ProjectVmRequestFilter, required: false, description: 'Conditions on the requests.' }) },
      resolve: (project, { filter, ...args }, context, info) => vmRequestList(context, { ...filter, projectId: project.id }, args, info),
    },
    VmRequestConnection,
  ),
);
