import { builder } from '../builder.ts';
import { ProjectRef } from '../types/project.ts';
import { VmRequestRef } from '../types/vm-request.ts';
import type { ProjectView } from '../views/project.ts';
import type { VmRequestView } from '../views/vm-request.ts';

export interface VmRequestPayload {
  vmRequest: VmRequestView;
}
export interface ProjectPayload {
  project: ProjectView;
}

/** `<Mutation>Payload { vmRequest }`: the request as the command left it. */
export const vmRequestPayload = (name: string) =>
  builder.objectRef<VmRequestPayload>(name).implement({
    description: 'The command succeeded.',
    fields: (t) => ({
      vmRequest: t.field({
        type: VmRequestRef,
        description: 'The request as the command left it (status and version advanced), without waiting for the read models.',
        resolve: (payload) => payload.vmRequest,
      }),
    }),
  });

/** `<Mutation>Payload { project }`: the project as the command left it. */
export const projectPayload = (name: string) =>
  builder.objectRef<ProjectPayload>(name).implement({
    description: 'The command succeeded.',
    fields: (t) => ({
      project: t.field({
        type: ProjectRef,
        description: 'The project as the command left it, without waiting for the read models.',
        resolve: (payload) => payload.project,
      }),
    }),
  });
