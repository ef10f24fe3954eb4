import {
  type Decider,
  type DomainEvent,
  isProjectEvent,
  isVmRequestEvent,
  type Project,
  type ProjectCommand,
  projectDecider,
  type ProjectEvent,
  type ProjectState,
  type VmRequest,
  type VmRequestCommand,
  vmRequestDecider,
  type VmRequestEvent,
  type VmRequestState,
} from '../domain/index.ts';

/** How command handling sees one kind of aggregate: its stream type, decider, and which states mean "exists". */
export interface Aggregate<Command, Event extends DomainEvent, State, Existing extends State> {
  streamType: string;
  decider: Decider<Command, Event, State>;
  isEvent: (event: DomainEvent) => event is Event;
  exists: (state: State) => state is Existing;
  notFoundMessage: string;
}

export const VM_REQUEST_STREAM = 'VmRequest';
export const PROJECT_STREAM = 'Project';

export const vmRequestAggregate: Aggregate<VmRequestCommand, VmRequestEvent, VmRequestState, VmRequest> = {
  streamType: VM_REQUEST_STREAM,
  decider: vmRequestDecider,
  isEvent: isVmRequestEvent,
  exists: (state): state is VmRequest => state.status !== 'NONE',
  notFoundMessage: 'VM request not found',
};

export const projectAggregate: Aggregate<ProjectCommand, ProjectEvent, ProjectState, Project> = {
  streamType: PROJECT_STREAM,
  decider: projectDecider,
  isEvent: isProjectEvent,
  exists: (state): state is Project => state.status !== 'NONE',
  notFoundMessage: 'Project not found',
};
