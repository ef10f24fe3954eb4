import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { projectFromCommand } from '../views/project.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { projectPayload } from './payloads.ts';

// Beyond api.md's minimum: the domain has archive/unarchive, so admins can reach them too.
for (const [field, command, typeName, description] of [
  [
    'archiveProject',
    'archiveProject',
    'ArchiveProject',
    'Archives a project (admins): no VM can be requested in it and its members cannot change; its requests keep their ' +
      'course. Archiving an archived project writes nothing.',
  ],
  [
    'unarchiveProject',
    'unarchiveProject',
    'UnarchiveProject',
    'Makes an archived project ACTIVE again (admins). Unarchiving an active project writes nothing.',
  ],
] as const) {
  const input = builder.inputType(`${typeName}Input`, {
    description: 'Which project.',
    fields: (t) => ({
      projectId: t.id({ required: true, description: 'The project (Project.id).' }),
      idempotencyKey: idempotencyKeyField(t),
    }),
  });
  builder.mutationField(field, (t) =>
    t.field({
      type: projectPayload(`${typeName}Payload`),
      description,
      errors: { union: { name: `${typeName}Result`, description: 'The project, or why it was refused.' } },
      args: { input: t.arg({ type: input, required: true, description: 'What to do.' }) },
      resolve: async (_root, args, context) => {
        const principal = requirePrincipal(context);
        checkInput(args.input);
        const projectId = idOf(args.input.projectId, 'Project');
        if (!projectId) return refuse(new NotFoundFailure('Project not found'));
        const result = await context.commands[command](
          principal,
          { projectId },
          { idempotencyKey: args.input.idempotencyKey },
        );
        if (!result.ok) return refuse(result.error);
        return { project: projectFromCommand(principal.tenantId, result.value) };
      },
    }),
  );
}
