import { parseUserId } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { projectFromCommand } from '../views/project.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { projectPayload } from './payloads.ts';

const RemoveProjectMemberInput = builder.inputType('RemoveProjectMemberInput', {
  description: 'Who leaves which project.',
  fields: (t) => ({
    projectId: t.id({ required: true, description: 'The project (Project.id); it must be ACTIVE.' }),
    userId: t.id({ required: true, description: "The user's id (the `sub` of their token): one line, at most 255 characters." }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('removeProjectMember', (t) =>
  t.field({
    type: projectPayload('RemoveProjectMemberPayload'),
    description:
      "Removes a member from an ACTIVE project (admins, and the project's PROJECT_ADMINs). The creator cannot be " +
      'removed; removing a non-member writes nothing.',
    errors: { union: { name: 'RemoveProjectMemberResult', description: 'The project with its members, or why it was refused.' } },
    args: { input: t.arg({ type: RemoveProjectMemberInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, { userId: parseUserId });
      const projectId = idOf(input.projectId, 'Project');
      if (!projectId) return refuse(new NotFoundFailure('Project not found'));
      const result = await context.commands.removeProjectMember(
        principal,
        { projectId, userId: input.userId },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { project: projectFromCommand(principal.tenantId, result.value) };
    },
  }),
);
