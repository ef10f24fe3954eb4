import type { Principal } from '../../domain/index.ts';
import { builder } from '../builder.ts';

/** The caller, as their token describes them. */
export const ViewerRef = builder.objectRef<Principal>('Viewer').implement({
  fields: (t) => ({
    id: t.exposeID('userId'),
    tenantId: t.exposeID('tenantId'),
    roles: t.stringList({ resolve: (principal) => [...principal.roles] }),
    email: t.string({ nullable: true, resolve: (principal) => principal.email ?? null }),
    name: t.string({ nullable: true, resolve: (principal) => principal.name ?? null }),
  }),
});
