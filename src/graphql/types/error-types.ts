import { builder } from '../builder.ts';
import {
  ConcurrencyFailure,
  ForbiddenFailure,
  InvalidStateFailure,
  NotFoundFailure,
  ValidationFailure,
} from '../errors/classes.ts';
import { ErrorInterface } from './error.ts';
import { VmRequestStatusEnum } from './enums.ts';

builder.objectType(ValidationFailure, {
  name: 'ValidationError',
  description: 'An input value broke a rule; `field` names the input field.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});

builder.objectType(ConcurrencyFailure, {
  name: 'ConcurrencyError',
  description: 'The request changed since the caller read it: reload and retry with `actualVersion`.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    expectedVersion: t.exposeInt('expectedVersion'),
    actualVersion: t.exposeInt('actualVersion'),
  }),
});

builder.objectType(InvalidStateFailure, {
  name: 'InvalidStateError',
  description: 'The command is not allowed in the current status.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    currentStatus: t.field({ type: VmRequestStatusEnum, nullable: true, resolve: (error) => error.currentStatus }),
  }),
});

builder.objectType(NotFoundFailure, {
  name: 'NotFoundError',
  description: 'Absent, or not visible to the caller (the two are indistinguishable on purpose).',
  interfaces: [ErrorInterface],
});

builder.objectType(ForbiddenFailure, {
  name: 'ForbiddenError',
  description: 'The caller may see the target but not do this to it.',
  interfaces: [ErrorInterface],
});
