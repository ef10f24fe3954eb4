import { parseDecommissionReason } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { checkInput } from './check-input.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { vmRequestPayload } from './payloads.ts';

const DecommissionVmInput = builder.inputType('DecommissionVmInput', {
  description: 'Which READY VM to delete, and optionally why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The request of the VM (VmRequest.id).' }),
    expectedVersion: t.int({
      required: false,
      description:
        'Optional: the version the caller looked at (VmRequest.version), a whole number of at least 0. When given, a ' +
        'request changed since then is a ConcurrencyError and nothing is written.',
    }),
    reason: t.string({ required: false, description: 'Optional, at most 500 characters; line breaks and tabs allowed; blank means none.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('decommissionVm', (t) =>
  t.field({
    type: vmRequestPayload('DecommissionVmPayload'),
    description:
      "Asks for a READY VM to be deleted, by its requester, a tenant admin or an admin of its project. The answer has " +
      'pendingOperation DECOMMISSION (superseding a pending power operation); DVMM then deletes the VM (retrying), and ' +
      "the live feed shows the request DECOMMISSIONED, no longer counted in its project's usage and quota, or " +
      'lastOperationFailure if it gave up. Refused (InvalidStateError, nothing written) when the request is not READY ' +
      'or a decommission is already pending; a too long reason is a ValidationError. Whoever may not act on the ' +
      'request gets NotFoundError, as for a request they cannot see.',
    errors: { union: { name: 'DecommissionVmResult', description: 'The request with the decommission pending, or why it was refused.' } },
    args: { input: t.arg({ type: DecommissionVmInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, { reason: parseDecommissionReason });
      const id = idOf(input.id, 'VmRequest');
      if (!id) return refuse(new NotFoundFailure('VM request not found'));
      const result = await context.commands.requestDecommission(
        principal,
        { id, expectedVersion: input.expectedVersion, reason: input.reason },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { vmRequest: vmRequestFromCommand(principal.tenantId, result.value) };
    },
  }),
);
