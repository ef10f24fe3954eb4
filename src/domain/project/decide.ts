import { allValid } from '../all-valid.ts';
import { concurrencyConflict, type DomainResult, forbidden, invalidState, notFound } from '../errors.ts';
import { isAdmin, type Principal } from '../principal.ts';
import { parseProjectDescription, parseProjectName } from '../project-name.ts';
import { parseUserId } from '../identity.ts';
import { parseQuotaLimits, sameLimits } from '../quota.ts';
import { fail, ok } from '../result.ts';
import type { AddProjectMember, CreateProject, ProjectCommand, RemoveProjectMember, SetProjectQuota } from './commands.ts';
import type { ProjectEvent } from './events.ts';
import { parseProjectRole } from './roles.ts';
import { memberOf, type Project, type ProjectState } from './state.ts';

export type ProjectDecision = DomainResult<ProjectEvent[]>;

export const decideProject = (command: ProjectCommand, state: ProjectState): ProjectDecision => {
  switch (command.type) {
    case 'CreateProject':
      return create(command, state);
    case 'AddProjectMember':
      return whenExists(state, (project) => addMember(command, project));
    case 'RemoveProjectMember':
      return whenExists(state, (project) => removeMember(command, project));
    case 'ArchiveProject':
      return whenExists(state, (project) => {
        if (!isAdmin(command.data.actor)) return fail(forbidden('Only admins can archive projects'));
        return project.status === 'ARCHIVED' ? ok([]) : ok([{ type: 'ProjectArchived', data: {} }]);
      });
    case 'UnarchiveProject':
      return whenExists(state, (project) => {
        if (!isAdmin(command.data.actor)) return fail(forbidden('Only admins can unarchive projects'));
        return project.status === 'ACTIVE' ? ok([]) : ok([{ type: 'ProjectUnarchived', data: {} }]);
      });
    case 'SetProjectQuota':
      return whenExists(state, (project) => setQuota(command, project));
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled Project command ${JSON.stringify(unhandled)}`);
    }
  }
};

const whenExists = (state: ProjectState, decide: (project: Project) => ProjectDecision): ProjectDecision =>
  state.status === 'NONE' ? fail(notFound('Project not found')) : decide(state);

/** Tenant admins manage every project; project admins manage their own. */
export const canManageMembers = (actor: Principal, project: Project): boolean =>
  isAdmin(actor) || memberOf(project, actor.userId)?.role === 'PROJECT_ADMIN';

const create = ({ data }: CreateProject, state: ProjectState): ProjectDecision => {
  if (state.status !== 'NONE') return fail(invalidState(state.status, 'This project already exists'));
  if (!isAdmin(data.actor)) return fail(forbidden('Only admins can create projects'));
  const values = allValid({ name: parseProjectName(data.name), description: parseProjectDescription(data.description) });
  if (!values.ok) return values;
  const { name, description } = values.value;
  const createdBy = data.actor.userId;
  return ok([
    {
      type: 'ProjectCreated',
      data: { name, ...(description === undefined ? {} : { description }), createdBy },
    },
    // The creator administers the project from its first version on, in the same append.
    { type: 'MemberAdded', data: { userId: createdBy, role: 'PROJECT_ADMIN' } },
  ]);
};

const checkMemberChange = (actor: Principal, project: Project) => {
  if (!canManageMembers(actor, project)) return forbidden('Only admins or project admins can manage members');
  if (project.status !== 'ACTIVE') {
    return invalidState(project.status, `Members of a ${project.status} project cannot be changed`);
  }
  return null;
};

const addMember = ({ data }: AddProjectMember, project: Project): ProjectDecision => {
  const refusal = checkMemberChange(data.actor, project);
  if (refusal) return fail(refusal);
  const values = allValid({ userId: parseUserId(data.userId), role: parseProjectRole(data.role) });
  if (!values.ok) return values;
  const { userId, role } = values.value;
  if (memberOf(project, userId)?.role === role) return ok([]);
  return ok([{ type: 'MemberAdded', data: { userId, role } }]);
};

const removeMember = ({ data }: RemoveProjectMember, project: Project): ProjectDecision => {
  const refusal = checkMemberChange(data.actor, project);
  if (refusal) return fail(refusal);
  const userId = parseUserId(data.userId);
  if (!userId.ok) return userId;
  if (userId.value === project.createdBy) return fail(forbidden('The creator of a project cannot be removed'));
  if (!memberOf(project, userId.value)) return ok([]);
  return ok([{ type: 'MemberRemoved', data: { userId: userId.value } }]);
};

/**
 * Limits may be set below what the project holds: nothing is taken away, and new requests (and approvals) are
 * refused until enough is released. An archived project's limits may change too: its requests keep their course.
 */
const setQuota = ({ data }: SetProjectQuota, project: Project): ProjectDecision => {
  if (!isAdmin(data.actor)) return fail(forbidden('Only admins can set project quotas'));
  const limits = parseQuotaLimits(data.limits);
  if (!limits.ok) return limits;
  if (data.expectedVersion !== project.version) return fail(concurrencyConflict(data.expectedVersion, project.version));
  return sameLimits(limits.value, project.quota) ? ok([]) : ok([{ type: 'ProjectQuotaSet', data: limits.value }]);
};
