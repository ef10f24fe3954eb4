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
  description: 'Which request to reject, at which version, and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The request (VmRequest.id).' }),
    expectedVersion: t.int({ required: true, description: 'The version the admin looked at (VmRequest.version): a whole number of at least 0.' }),
    reason: t.string({ required: true, description: 'Why, for the requester: 10 to 500 characters; line breaks and tabs allowed.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('rejectVmRequest', (t) =>
  t.field({
    type: vmRequestPayload('RejectVmRequestPayload'),
    description:
      'Rejects a PENDING request with a reason (admins, not their own request). A stale expectedVersion is a ' +
      'ConcurrencyError.',
    errors: { union: { name: 'RejectVmRequestResult', description: 'The rejected request, or why it was refused.' } },
    args: { input: t.arg({ type: RejectVmRequestInput, required: true, description: 'What to do.' }) },
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
