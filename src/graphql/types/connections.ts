import { builder } from '../builder.ts';
import { ProjectRef } from './project.ts';
import { VmRequestRef } from './vm-request.ts';

// Shared by vmRequests and pendingApprovals, so clients get one connection type per node type.
export const VmRequestConnection = builder.connectionObject(
  { type: VmRequestRef, name: 'VmRequestConnection', description: 'A page of VM requests.' },
  { name: 'VmRequestEdge', description: 'A VM request of the page, with its cursor.' },
);

export const ProjectConnection = builder.connectionObject(
  { type: ProjectRef, name: 'ProjectConnection', description: 'A page of projects.' },
  { name: 'ProjectEdge', description: 'A project of the page, with its cursor.' },
);

/** Largest page any connection returns, whatever `first`/`last` asks for. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
