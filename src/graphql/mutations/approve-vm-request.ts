import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { vmRequestPayload } from './payloads.ts';

const ApproveVmRequestInput = builder.inputType('ApproveVmRequestInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedVersion: t.int({ required: true, description: 'The version the admin looked at (VmRequest.version).' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('approveVmRequest', (t) =>
  t.field({
    type: vmRequestPayload('ApproveVmRequestPayload'),
    errors: { union: { name: 'ApproveVmRequestResult' } },
    args: { input: t.arg({ type: ApproveVmRequestInput, required: true }) },
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
