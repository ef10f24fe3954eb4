import { readVmwareConnection, type StoredVmwareConnection } from '../../commands/index.ts';
import { builder } from '../builder.ts';
import { refuse } from '../errors/classes.ts';
import { requirePrincipal } from '../principal.ts';
import { toSettingsInput, VmwareConnectionInput, VmwareConnectionRef } from '../types/vmware-connection.ts';
import { checkInput } from './check-input.ts';
import { idempotencyKeyField } from './idempotency-key.ts';

const SetVmwareConnectionInput = builder.inputType('SetVmwareConnectionInput', {
  description: "The tenant's vCenter connection, all settings at once, at the version the admin looked at.",
  fields: (t) => ({
    expectedVersion: t.int({
      required: true,
      description: 'VmwareConnection.version as the admin saw it; 0 when Query.vmwareConnection was null.',
    }),
    connection: t.field({ type: VmwareConnectionInput, required: true, description: 'The settings (the password only to change it).' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

const SetVmwareConnectionPayload = builder.objectRef<{ connection: StoredVmwareConnection }>('SetVmwareConnectionPayload').implement({
  description: 'The command succeeded.',
  fields: (t) => ({
    connection: t.field({ type: VmwareConnectionRef, description: 'The connection as saved (version advanced when anything changed).', resolve: (p) => p.connection }),
  }),
});

builder.mutationField('setVmwareConnection', (t) =>
  t.field({
    type: SetVmwareConnectionPayload,
    description:
      "Sets the tenant's vCenter connection (tenant admins). The password is stored encrypted; the event recorded names " +
      'the changed settings and whether the password changed, never their values. The same settings (and no new ' +
      'password) write nothing. New provisioning uses it at once. A stale expectedVersion is a ConcurrencyError; bad ' +
      'settings a ValidationError naming every invalid field (nothing is written).',
    errors: { union: { name: 'SetVmwareConnectionResult', description: 'The saved connection, or why it was refused.' } },
    args: { input: t.arg({ type: SetVmwareConnectionInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input);
      const result = await context.commands.setVmwareConnection(
        principal,
        { ...toSettingsInput(input.connection), password: input.connection.password, expectedVersion: input.expectedVersion },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      const connection = await readVmwareConnection(context.sql, principal.tenantId);
      // Written in the command's transaction; only a removal committed since could have taken it away.
      if (!connection) throw new Error('The connection was removed right after it was saved; reload');
      return { connection };
    },
  }),
);
