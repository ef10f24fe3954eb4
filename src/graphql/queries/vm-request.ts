import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { selectedColumns } from '../read/vm-request-columns.ts';
import { findVmRequest } from '../read/vm-requests.ts';
import { VmRequestRef } from '../types/vm-request.ts';

builder.queryField('vmRequest', (t) =>
  t.field({
    type: VmRequestRef,
    nullable: true,
    description: 'Null when absent or not visible to the caller: the two cannot be told apart.',
    args: { id: t.arg.id({ required: true, description: 'VmRequest.id, or the bare UUID.' }) },
    resolve: (_root, args, context, info) => {
      const id = idOf(args.id, 'VmRequest');
      return id ? findVmRequest(context.db, requirePrincipal(context), id, selectedColumns(info, [])) : null;
    },
  }),
);
