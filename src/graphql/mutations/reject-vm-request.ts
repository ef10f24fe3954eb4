import { parseRejectionReason } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { vmRequestPayload } from './payloads.ts';

const RejectVmRequestInput = builder.inputType('RejectVmRequestInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedVersion: t.int({ required: true, description: 'The version the admin looked at (VmRequest.version).' }),
    reason: t.string({ required: true, description: '10 to 500 characters.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('rejectVmRequest', (t) =>
  t.field({
    type: vmRequestPayload('RejectVmRequestPayload'),
    errors: { union: { name: 'RejectVmRequestResult' } },
    args: { input: t.arg({ type: RejectVmRequestInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, { reason: parseRejectionReason });
      const id = idOf(input.id, 'VmRequest');
      if (!id) return refuse(new NotFoundFailure('VM request not found'));
      const result = await context.commands.rejectVmRequest(
        principal,
        { id, expectedVersion: input.expectedVersion, reason: input.reason },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { vmRequest: vmRequestFromCommand(principal.tenantId, result.value) };
    },
  }),
);
