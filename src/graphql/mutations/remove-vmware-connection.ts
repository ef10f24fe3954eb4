import { builder } from '../builder.ts';
import { refuse } from '../errors/classes.ts';
import { requirePrincipal } from '../principal.ts';
import { checkInput } from './check-input.ts';
import { idempotencyKeyField } from './idempotency-key.ts';

const RemoveVmwareConnectionInput = builder.inputType('RemoveVmwareConnectionInput', {
  description: 'Which version of the connection to remove.',
  fields: (t) => ({
    expectedVersion: t.int({ required: true, description: 'VmwareConnection.version as the admin saw it.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

const RemoveVmwareConnectionPayload = builder.objectRef<{ removedBy: string }>('RemoveVmwareConnectionPayload').implement({
  description: 'The command succeeded: the tenant has no connection now (Query.vmwareConnection is null).',
  fields: (t) => ({
    removedBy: t.exposeString('removedBy', { description: 'The user id of the admin who removed it.' }),
  }),
});

builder.mutationField('removeVmwareConnection', (t) =>
  t.field({
    type: RemoveVmwareConnectionPayload,
    description:
      "Removes the tenant's vCenter connection and its stored password (tenant admins). Provisioning then uses the " +
      'simulated hypervisor where the server allows it, else approvals are refused. NotFoundError when none is set; a ' +
      'stale expectedVersion is a ConcurrencyError.',
    errors: { union: { name: 'RemoveVmwareConnectionResult', description: 'Done, or why it was refused.' } },
    args: { input: t.arg({ type: RemoveVmwareConnectionInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input);
      const result = await context.commands.removeVmwareConnection(
        principal,
        { expectedVersion: input.expectedVersion },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { removedBy: principal.userId };
    },
  }),
);
