import type { FieldError } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import {
  ConcurrencyFailure,
  ForbiddenFailure,
  InvalidStateFailure,
  NotFoundFailure,
  ProvisioningNotConfiguredFailure,
  QuotaExceededFailure,
  ValidationFailure,
} from '../errors/classes.ts';
import { ErrorInterface } from './error.ts';
import { QuotaResourceEnum, VmRequestStatusEnum } from './enums.ts';

const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  description: 'One input field that breaks its rule.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field, as the input type names it (`vmName`, `justification`).' }),
    message: t.exposeString('message', { description: 'What is wrong with it, in a sentence a user can read.' }),
  }),
});

builder.objectType(ValidationFailure, {
  name: 'ValidationError',
  description:
    'Input values broke their rules; nothing was written. `fields` names every invalid field of the input; `field` ' +
    'and `message` are the first of them.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The first invalid input field (the same as `fields[0].field`).' }),
    fields: t.field({
      type: [FieldErrorRef],
      description:
        'Every invalid field of the input, each with its own message: the value fields in the order of the form, then ' +
        'the others (ids, expectedVersion, idempotencyKey) by name.',
      resolve: (error) => [...error.fields],
    }),
  }),
});

builder.objectType(ConcurrencyFailure, {
  name: 'ConcurrencyError',
  description: 'The request changed since the caller read it: reload and retry with `actualVersion`.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    expectedVersion: t.exposeInt('expectedVersion', { description: 'The version the caller sent (expectedVersion).' }),
    actualVersion: t.exposeInt('actualVersion', { description: "The request's version now: reload it, decide again, send this one." }),
  }),
});

builder.objectType(InvalidStateFailure, {
  name: 'InvalidStateError',
  description: 'The command is not allowed in the current status.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    currentStatus: t.field({
      type: VmRequestStatusEnum,
      nullable: true,
      description: "The request's status that refused the command; null when the refusing state is a project's (the message names it).",
      resolve: (error) => error.currentStatus,
    }),
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

builder.objectType(QuotaExceededFailure, {
  name: 'QuotaExceededError',
  description:
    "The request would take its project over a limit of the project's quota (Project.quota); nothing was written. " +
    'It is refused while `used + requested > limit`: cancel or reject requests of the project, or ask an admin ' +
    'for a higher limit.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    resource: t.expose('resource', {
      type: QuotaResourceEnum,
      description: 'The first limit it would exceed, in the order VMS, VCPUS, RAM_GB, STORAGE_GB.',
    }),
    limit: t.exposeInt('limit', { description: "The project's limit for that resource." }),
    used: t.exposeInt('used', {
      description:
        "What the project's other counted requests (PENDING, APPROVED, PROVISIONING, READY) hold of that resource; " +
        'for an approval, without the request being approved.',
    }),
    requested: t.exposeInt('requested', { description: 'What this request needs of that resource (1 for VMS; else its size).' }),
  }),
});

builder.objectType(ProvisioningNotConfiguredFailure, {
  name: 'ProvisioningNotConfiguredError',
  description:
    'The request cannot be approved because nothing could provision it: the tenant has no vCenter connection ' +
    '(Query.vmwareConnection is null) and this server does not simulate one (PROVISIONING_SIMULATE_UNCONFIGURED). A ' +
    'tenant admin sets the connection (setVmwareConnection), then the request can be approved; nothing was written.',
  interfaces: [ErrorInterface],
});
