import { parseJustification, parseVmName, parseVmSize } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { VmSizeEnum } from '../types/enums.ts';
import { vmRequestFromCommand } from '../views/vm-request.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { vmRequestPayload } from './payloads.ts';

const CreateVmRequestInput = builder.inputType('CreateVmRequestInput', {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    vmName: t.string({ required: true, description: '3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.' }),
    size: t.field({ type: VmSizeEnum, required: true }),
    justification: t.string({ required: true, description: '10 to 1000 characters; line breaks and tabs allowed.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('createVmRequest', (t) =>
  t.field({
    type: vmRequestPayload('CreateVmRequestPayload'),
    errors: { union: { name: 'CreateVmRequestResult' } },
    args: { input: t.arg({ type: CreateVmRequestInput, required: true }) },
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
