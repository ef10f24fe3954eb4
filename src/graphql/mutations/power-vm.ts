import type { CommandHandlers } from '../../commands/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { checkInput } from './check-input.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { vmRequestPayload } from './payloads.ts';

/** powerOffVm and powerOnVm: the same input and refusals, a different command and state. */
const powerMutation = (
  name: 'powerOffVm' | 'powerOnVm',
  type: 'PowerOffVm' | 'PowerOnVm',
  command: 'requestPowerOff' | 'requestPowerOn',
  text: { verb: string; to: 'ON' | 'OFF' },
) => {
  const input = builder.inputType(`${type}Input`, {
    description: `Which READY VM to power ${text.verb}.`,
    fields: (t) => ({
      id: t.id({ required: true, description: 'The request of the VM (VmRequest.id).' }),
      expectedVersion: t.int({
        required: false,
        description:
          'Optional: the version the caller looked at (VmRequest.version), a whole number of at least 0. When given, ' +
          'a request changed since then is a ConcurrencyError and nothing is written.',
      }),
      idempotencyKey: idempotencyKeyField(t),
    }),
  });

  builder.mutationField(name, (t) =>
    t.field({
      type: vmRequestPayload(`${type}Payload`),
      description:
        `Asks for a READY VM to be powered ${text.verb}, by its requester, a tenant admin or an admin of its project. ` +
        `The answer has pendingOperation ${text.to === 'OFF' ? 'POWER_OFF' : 'POWER_ON'}; DVMM then powers the VM ` +
        `${text.verb} (retrying), and the live feed shows powerState ${text.to} with nothing pending, or ` +
        'lastOperationFailure if it gave up. Refused (InvalidStateError, nothing written) when the request is not READY, ' +
        `an operation is pending, or the VM is already ${text.to.toLowerCase()}. Whoever may not act on the request ` +
        'gets NotFoundError, as for a request they cannot see.',
      errors: { union: { name: `${type}Result`, description: `The request with the power ${text.verb} pending, or why it was refused.` } },
      args: { input: t.arg({ type: input, required: true, description: 'What to do.' }) },
      resolve: async (_root, { input }, context) => {
        const principal = requirePrincipal(context);
        checkInput(input);
        const id = idOf(input.id, 'VmRequest');
        if (!id) return refuse(new NotFoundFailure('VM request not found'));
        const handler: CommandHandlers[typeof command] = context.commands[command];
        const result = await handler(principal, { id, expectedVersion: input.expectedVersion }, { idempotencyKey: input.idempotencyKey });
        if (!result.ok) return refuse(result.error);
        return { vmRequest: vmRequestFromCommand(principal.tenantId, result.value) };
      },
    }),
  );
};

powerMutation('powerOffVm', 'PowerOffVm', 'requestPowerOff', { verb: 'off', to: 'OFF' });
powerMutation('powerOnVm', 'PowerOnVm', 'requestPowerOn', { verb: 'on', to: 'ON' });
