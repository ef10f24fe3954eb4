import { parseCancellationReason } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { vmRequestPayload } from './payloads.ts';

const CancelVmRequestInput = builder.inputType('CancelVmRequestInput', {
  description: 'Which request to cancel, and optionally why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The request (VmRequest.id).' }),
    reason: t.string({ required: false, description: 'Optional, at most 500 characters; line breaks and tabs allowed; blank means none.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('cancelVmRequest', (t) =>
  t.field({
    type: vmRequestPayload('CancelVmRequestPayload'),
    description:
      'Cancels a PENDING request (the requester only). Cancelling a CANCELLED request again succeeds and writes nothing.',
    errors: { union: { name: 'CancelVmRequestResult', description: 'The cancelled request, or why it was refused.' } },
    args: { input: t.arg({ type: CancelVmRequestInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, { reason: parseCancellationReason });
      const id = idOf(input.id, 'VmRequest');
      if (!id) return refuse(new NotFoundFailure('VM request not found'));
      const result = await context.commands.cancelVmRequest(
        principal,
        { id, reason: input.reason },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { vmRequest: vmRequestFromCommand(principal.tenantId, result.value) };
    },
  }),
);
