import { parseJustification, parseVmName, parseVmSize } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, QuotaExceededFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { VmSizeEnum } from '../types/enums.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { vmRequestPayload } from './payloads.ts';

const CreateVmRequestInput = builder.inputType('CreateVmRequestInput', {
  description: 'A new VM request.',
  fields: (t) => ({
    projectId: t.id({ required: true, description: 'The project it is for: ACTIVE, and the caller a member of it (or an admin).' }),
    vmName: t.string({
      required: true,
      description:
        'The hostname: 3 to 63 characters (after trimming) of lowercase letters, digits and hyphens, starting and ' +
        'ending with a letter or digit, no `--` (pattern `^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`).',
    }),
    size: t.field({ type: VmSizeEnum, required: true, description: 'The size (vmSizes lists what each means).' }),
    justification: t.string({ required: true, description: 'Why the VM is needed: 10 to 1000 characters (after trimming); line breaks and tabs allowed.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('createVmRequest', (t) =>
  t.field({
    type: vmRequestPayload('CreateVmRequestPayload'),
    description:
      'Requests a VM in a project (a member of it, or an admin). The request starts PENDING, at version 1. A ' +
      "request that would take the project over its quota is a QuotaExceededError.",
    errors: {
      types: [QuotaExceededFailure],
      union: { name: 'CreateVmRequestResult', description: 'The new request, or why it was refused.' },
    },
    args: { input: t.arg({ type: CreateVmRequestInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, { vmName: parseVmName, size: parseVmSize, justification: parseJustification });
      const projectId = idOf(input.projectId, 'Project');
      if (!projectId) return refuse(new NotFoundFailure('Project not found'));
      const result = await context.commands.createVmRequest(
        principal,
        { projectId, vmName: input.vmName, size: input.size, justification: input.justification },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { vmRequest: vmRequestFromCommand(principal.tenantId, result.value) };
    },
  }),
);
