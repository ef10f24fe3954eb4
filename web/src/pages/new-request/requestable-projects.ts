/** A project as the options query returns it. */
export interface ProjectOption {
  id: string;
  name: string;
  status: string;
  members: readonly { userId: string }[];
}

export interface RequestableProjects {
  /** Active projects the viewer is a member of. */
  mine: ProjectOption[];
  /** For an admin, the tenant's other active projects (domain.md: any admin may request in any project). */
  others: ProjectOption[];
}

/**
 * The projects the form offers: never an archived one (the server refuses it with INVALID_STATE); a user's own (the
 * server already lists only those); and for a tenant admin every active project, their own listed first.
 */
export function requestableProjects(projects: readonly ProjectOption[], viewer: { id: string; roles: readonly string[] }): RequestableProjects {
  const active = projects.filter((project) => project.status === 'ACTIVE').sort((a, b) => a.name.localeCompare(b.name));
  const isMember = (project: ProjectOption) => project.members.some((member) => member.userId === viewer.id);
  return {
    mine: active.filter(isMember),
    others: viewer.roles.includes('admin') ? active.filter((project) => !isMember(project)) : [],
  };
}
