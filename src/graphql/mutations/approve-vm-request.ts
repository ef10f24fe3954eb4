import { builder } from '../builder.ts';
import { NotFoundFailure, ProvisioningNotConfiguredFailure, QuotaExceededFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { vmRequestPayload } from './payloads.ts';

const ApproveVmRequestInput = builder.inputType('ApproveVmRequestInput', {
  description: 'Which request to approve, at which version.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The request (VmRequest.id).' }),
    expectedVersion: t.int({ required: true, description: 'The version the admin looked at (VmRequest.version): a whole number of at least 0.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('approveVmRequest', (t) =>
  t.field({
    type: vmRequestPayload('ApproveVmRequestPayload'),
    description:
      'Approves a PENDING request (admins, not their own request); provisioning starts by itself. A stale ' +
      'expectedVersion is a ConcurrencyError. A request that no longer fits its project\'s quota (a limit was lowered ' +
      'since it was made) is a QuotaExceededError. In a tenant without a vCenter connection, on a server that does not ' +
      'simulate one, it is a ProvisioningNotConfiguredError.',
    errors: {
      types: [QuotaExceededFailure, ProvisioningNotConfiguredFailure],
      union: { name: 'ApproveVmRequestResult', description: 'The approved request, or why it was refused.' },
    },
    args: { input: t.arg({ type: ApproveVmRequestInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input);
      const id = idOf(input.id, 'VmRequest');
      if (!id) return refuse(new NotFoundFailure('VM request not found'));
      const result = await context.commands.approveVmRequest(
        principal,
        { id, expectedVersion: input.expectedVersion },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { vmRequest: vmRequestFromCommand(principal.tenantId, result.value) };
    },
  }),
);
