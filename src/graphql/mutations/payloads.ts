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
    fields: (t) => ({ vmRequest: t.field({ type: VmRequestRef, resolve: (payload) => payload.vmRequest }) }),
  });

/** `<Mutation>Payload { project }`: the project as the command left it. */
export const projectPayload = (name: string) =>
  builder.objectRef<ProjectPayload>(name).implement({
    fields: (t) => ({ project: t.field({ type: ProjectRef, resolve: (payload) => payload.project }) }),
  });
