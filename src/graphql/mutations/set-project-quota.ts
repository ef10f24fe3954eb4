import { parseQuotaLimit, QUOTA_LIMIT_MAX } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { projectFromCommand } from '../views/project.ts';
import { checkInput } from './check-input.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { projectPayload } from './payloads.ts';

const LIMIT_RULE = `A whole number from 0 to ${QUOTA_LIMIT_MAX.toLocaleString('en')}; null or absent: no limit.`;

const SetProjectQuotaInput = builder.inputType('SetProjectQuotaInput', {
  description: "A project's new limits: all four are replaced at once, and a limit left out (or null) is no limit.",
  fields: (t) => ({
    projectId: t.id({ required: true, description: 'The project (Project.id).' }),
    expectedVersion: t.int({
      required: true,
      description: 'The version the admin looked at (Project.version): a whole number of at least 0.',
    }),
    maxVms: t.int({ required: false, description: `How many VMs the project may hold. ${LIMIT_RULE}` }),
    maxVCpus: t.int({ required: false, description: `How many vCPUs its VMs may add up to. ${LIMIT_RULE}` }),
    maxRamGb: t.int({ required: false, description: `How much memory (GB) its VMs may add up to. ${LIMIT_RULE}` }),
    maxStorageGb: t.int({ required: false, description: `How much disk (GB) its VMs may add up to. ${LIMIT_RULE}` }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('setProjectQuota', (t) =>
  t.field({
    type: projectPayload('SetProjectQuotaPayload'),
    description:
      "Sets a project's quota (tenant admins). A limit may be set below what the project holds: nothing is taken " +
      'away, and new requests and approvals are refused (QuotaExceededError) until enough is released. The same ' +
      'limits again write nothing. A stale expectedVersion is a ConcurrencyError.',
    errors: { union: { name: 'SetProjectQuotaResult', description: 'The project with its new quota, or why it was refused.' } },
    args: { input: t.arg({ type: SetProjectQuotaInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, {
        maxVms: (value) => parseQuotaLimit(value, 'maxVms'),
        maxVCpus: (value) => parseQuotaLimit(value, 'maxVCpus'),
        maxRamGb: (value) => parseQuotaLimit(value, 'maxRamGb'),
        maxStorageGb: (value) => parseQuotaLimit(value, 'maxStorageGb'),
      });
      const projectId = idOf(input.projectId, 'Project');
      if (!projectId) return refuse(new NotFoundFailure('Project not found'));
      const { expectedVersion, maxVms, maxVCpus, maxRamGb, maxStorageGb } = input;
      const result = await context.commands.setProjectQuota(
        principal,
        { projectId, expectedVersion, maxVms, maxVCpus, maxRamGb, maxStorageGb },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { project: projectFromCommand(principal.tenantId, result.value) };
    },
  }),
);
