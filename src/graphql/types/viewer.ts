import type { Principal } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { globalId } from '../ids.ts';
import { administeredProjectIds } from '../read/administered-projects.ts';

/** The caller, as their token describes them. */
export const ViewerRef = builder.objectRef<Principal>('Viewer').implement({
  description: 'The caller, as their token describes them.',
  fields: (t) => ({
    id: t.exposeID('userId', { description: 'Their user id (the `sub` claim).' }),
    tenantId: t.exposeID('tenantId', { description: 'Their tenant (the `tenant_id` claim); everything they see is of it.' }),
    roles: t.stringList({
      description: 'Their roles: `user`, `admin` (tenant admin), or both; other roles of the token are left out.',
      resolve: (principal) => [...principal.roles],
    }),
    email: t.string({ nullable: true, description: 'The `email` claim; null when absent.', resolve: (principal) => principal.email ?? null }),
    name: t.string({ nullable: true, description: 'The `name` claim; null when absent.', resolve: (principal) => principal.name ?? null }),
    adminOfProjects: t.idList({
      description:
        'The projects they are a PROJECT_ADMIN of (global ids; empty when none): the projects whose queue ' +
        '`pendingApprovals` gives a project admin who is not a tenant admin.',
      resolve: async (principal, _args, context) =>
        (await administeredProjectIds(context.db, principal)).map((id) => globalId('Project', id)),
    }),
  }),
});
