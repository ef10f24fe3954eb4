import { builder } from '../builder.ts';
import { ProjectRef } from './project.ts';
import { VmRequestRef } from './vm-request.ts';

// Shared by vmRequests and pendingApprovals, so clients get one connection type per node type.
export const VmRequestConnection = builder.connectionObject(
  { type: VmRequestRef, name: 'VmRequestConnection' },
  { name: 'VmRequestEdge' },
);

export const ProjectConnection = builder.connectionObject(
  { type: ProjectRef, name: 'ProjectConnection' },
  { name: 'ProjectEdge' },
);

/** Largest page any connection returns, whatever `first`/`last` asks for. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
