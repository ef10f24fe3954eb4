import { parseProjectDescription, parseProjectName } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { refuse } from '../errors/classes.ts';
import { requirePrincipal } from '../principal.ts';
import { projectFromCommand } from '../views/project.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { projectPayload } from './payloads.ts';

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  description: 'A new project.',
  fields: (t) => ({
    name: t.string({
      required: true,
      description:
        '3 to 100 characters: a letter or digit, then letters, digits, spaces, `_` and `-`; unique in the tenant ignoring case.',
    }),
    description: t.string({ required: false, description: 'Optional, at most 2000 characters; line breaks and tabs allowed; blank means none.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('createProject', (t) =>
  t.field({
    type: projectPayload('CreateProjectPayload'),
    description: 'Creates an ACTIVE project (admins); the creator becomes its PROJECT_ADMIN.',
    errors: { union: { name: 'CreateProjectResult', description: 'The new project, or why it was refused.' } },
    args: { input: t.arg({ type: CreateProjectInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, { name: parseProjectName, description: parseProjectDescription });
      const result = await context.commands.createProject(
        principal,
        { name: input.name, description: input.description },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { project: projectFromCommand(principal.tenantId, result.value) };
    },
  }),
);
