import { builder } from '../builder.ts';
import { NotFoundFailure, refuse } from '../errors/classes.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { projectFromCommand } from '../views/project.ts';
import { idempotencyKeyField } from './idempotency-key.ts';
import { checkInput } from './check-input.ts';
import { projectPayload } from './payloads.ts';

// Beyond api.md's minimum: the domain has archive/unarchive, so admins can reach them too.
for (const [field, command, typeName] of [
  ['archiveProject', 'archiveProject', 'ArchiveProject'],
  ['unarchiveProject', 'unarchiveProject', 'UnarchiveProject'],
] as const) {
  const input = builder.inputType(`${typeName}Input`, {
    fields: (t) => ({ projectId: t.id({ required: true }), idempotencyKey: idempotencyKeyField(t) }),
  });
  builder.mutationField(field, (t) =>
    t.field({
      type: projectPayload(`${typeName}Payload`),
      errors: { union: { name: `${typeName}Result` } },
      args: { input: t.arg({ type: input, required: true }) },
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
