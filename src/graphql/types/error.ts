import { builder } from '../builder.ts';
import { Failure } from '../errors/classes.ts';

export const ErrorCode = builder.enumType('ErrorCode', {
  description: 'Why a mutation was refused.',
  values: {
    VALIDATION: { description: 'Input values break their rules (ValidationError).' },
    NOT_FOUND: { description: 'Absent, or not visible to the caller (NotFoundError).' },
    FORBIDDEN: { description: 'Visible, but the caller may not do this (ForbiddenError).' },
    INVALID_STATE: { description: 'Not allowed in the current status (InvalidStateError).' },
    CONCURRENCY_CONFLICT: { description: 'Changed since the caller read it: reload and decide again (ConcurrencyError).' },
    QUOTA_EXCEEDED: { description: "It would take the project over one of its quota's limits (QuotaExceededError)." },
    PROVISIONING_NOT_CONFIGURED: {
      description: 'The tenant has no vCenter connection and this server does not simulate one (ProvisioningNotConfiguredError).',
    },
  },
});

/** Implemented by every error member of a mutation result union. */
export const ErrorInterface = builder.interfaceRef<Failure>('Error').implement({
  description: 'A refusal of a mutation; nothing was written. Every error member of a `<Mutation>Result` union has it.',
  fields: (t) => ({
    code: t.field({ type: ErrorCode, description: 'Which kind of refusal.', resolve: (error) => error.code }),
    message: t.exposeString('message', { description: 'What was refused and why, in a sentence a user can read.' }),
  }),
});
