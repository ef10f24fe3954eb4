import { builder } from '../builder.ts';
import { Failure } from '../errors/classes.ts';

export const ErrorCode = builder.enumType('ErrorCode', {
  description: 'Why a mutation was refused.',
  values: ['VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'INVALID_STATE', 'CONCURRENCY_CONFLICT'] as const,
});

/** Implemented by every error member of a mutation result union. */
export const ErrorInterface = builder.interfaceRef<Failure>('Error').implement({
  fields: (t) => ({
    code: t.field({ type: ErrorCode, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});
