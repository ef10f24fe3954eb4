import { NO_QUOTA } from '../quota.ts';
import type { ProjectEvent } from './events.ts';
import type { ProjectState } from './state.ts';

export const evolveProject = (state: ProjectState, event: ProjectEvent): ProjectState => {
  const version = state.version + 1;
  if (event.type === 'ProjectCreated') {
    return {
      status: 'ACTIVE',
      version,
      name: event.data.name,
      description: event.data.description ?? null,
      createdBy: event.data.createdBy,
      members: [],
      quota: NO_QUOTA,
    };
  }
  // Only a creation can start a stream; anything else before it is a corrupt history, counted but not applied.
  if (state.status === 'NONE') return { ...state, version };

  switch (event.type) {
    case 'MemberAdded': {
      const { userId, role } = event.data;
      const known = state.members.some((member) => member.userId === userId);
      const members = known
        ? state.members.map((member) => (member.userId === userId ? { userId, role } : member))
        : [...state.members, { userId, role }];
      return { ...state, version, members };
    }
    case 'MemberRemoved':
      return { ...state, version, members: state.members.filter((member) => member.userId !== event.data.userId) };
    case 'ProjectArchived':
      return { ...state, version, status: 'ARCHIVED' };
    case 'ProjectUnarchived':
      return { ...state, version, status: 'ACTIVE' };
    case 'ProjectQuotaSet':
      return { ...state, version, quota: event.data };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled Project event ${JSON.stringify(unhandled)}`);
    }
  }
};
