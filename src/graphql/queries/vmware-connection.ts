import { readVmwareConnection } from '../../commands/index.ts';
import { builder } from '../builder.ts';
import { requirePrincipal } from '../principal.ts';
import { VmwareConnectionRef } from '../types/vmware-connection.ts';

builder.queryField('vmwareConnection', (t) =>
  t.field({
    type: VmwareConnectionRef,
    nullable: true,
    authScopes: { admin: true },
    description:
      "The caller's tenant's vCenter connection (tenant admins; others get FORBIDDEN), without the password; null when " +
      'none is set (then setVmwareConnection takes expectedVersion 0). Read from the connection table, which is written ' +
      'with its events, so it is never behind a change.',
    resolve: (_root, _args, context) => readVmwareConnection(context.sql, requirePrincipal(context).tenantId),
  }),
);
