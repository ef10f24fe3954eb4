import { parseProjectRole, parseUserId } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { ProjectRoleEnum } from '../types/enums.ts';
import { projectFromCommand } from '../views/project.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { projectPayload } from './payloads.ts';

const AddProjectMemberInput = builder.inputType('AddProjectMemberInput', {
  description: 'Who joins which project, in which role.',
  fields: (t) => ({
    projectId: t.id({ required: true, description: 'The project (Project.id); it must be ACTIVE.' }),
    userId: t.id({ required: true, description: "The user's id (the `sub` of their token): one line, at most 255 characters." }),
    role: t.field({ type: ProjectRoleEnum, required: true, description: 'Their role; for a member already there, their new role.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('addProjectMember', (t) =>
  t.field({
    type: projectPayload('AddProjectMemberPayload'),
    description:
      "Adds a member to an ACTIVE project, or changes a member's role (admins, and the project's PROJECT_ADMINs). " +
      'Adding a member again in the same role writes nothing.',
    errors: { union: { name: 'AddProjectMemberResult', description: 'The project with its members, or why it was refused.' } },
    args: { input: t.arg({ type: AddProjectMemberInput, required: true, description: 'What to do.' }) },
    resolve: async (_root, { input }, context) => {
      const principal = requirePrincipal(context);
      checkInput(input, { userId: parseUserId, role: parseProjectRole });
      const projectId = idOf(input.projectId, 'Project');
      if (!projectId) return refuse(new NotFoundFailure('Project not found'));
      const result = await context.commands.addProjectMember(
        principal,
        { projectId, userId: input.userId, role: input.role },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!result.ok) return refuse(result.error);
      return { project: projectFromCommand(principal.tenantId, result.value) };
    },
  }),
);
