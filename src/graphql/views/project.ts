import type { CommandResult } from '../../commands/index.ts';
import type { Project, ProjectMember, ProjectStatus } from '../../domain/index.ts';

/** What the Project GraphQL type resolves from: a read-model row or the state a command just left. */
export interface ProjectView {
  kind: 'Project';
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  status: ProjectStatus;
  createdBy: string;
  createdAt: Date;
  /** Its stream version: what setProjectQuota must expect. */
  version: number;
  /** Known members in joining order; null when not loaded yet (the field resolver loads them). */
  members: readonly ProjectMember[] | null;
}

export const projectFromCommand = (tenantId: string, result: CommandResult<Project, unknown>): ProjectView => ({
  kind: 'Project',
  id: result.id,
  tenantId,
  name: result.state.name,
  description: result.state.description,
  status: result.state.status,
  createdBy: result.state.createdBy,
  createdAt: new Date(result.createdAt),
  version: result.version,
  members: result.state.members,
});
