import {
  type DomainError,
  type FieldError,
  type QuotaResource,
  VM_REQUEST_STATUSES,
  type VmRequestStatus,
} from '../../domain/index.ts';

/**
 * The GraphQL side of DomainError. The errors plugin recognises an error by its class: a mutation resolver turns
 * the domain's refusal (a value) into one of these with `refuse`, and the plugin, which catches it before GraphQL
 * sees an exception, answers with the matching member of the mutation's result union.
 */
export abstract class Failure extends Error {
  abstract readonly code: DomainError['code'];
}

export class ValidationFailure extends Failure {
  readonly code = 'VALIDATION';
  /** The first of `fields`, for clients that show one error. */
  readonly field: string;
  constructor(readonly fields: readonly [FieldError, ...FieldError[]]) {
    super(fields[0].message);
    this.field = fields[0].field;
  }
}

export class NotFoundFailure extends Failure {
  readonly code = 'NOT_FOUND';
}

export class ForbiddenFailure extends Failure {
  readonly code = 'FORBIDDEN';
}

export class InvalidStateFailure extends Failure {
  readonly code = 'INVALID_STATE';
  constructor(
    message: string,
    /** Null when the refusing state is not a VM request status (e.g. an ARCHIVED project); the message names it. */
    readonly currentStatus: VmRequestStatus | null,
  ) {
    super(message);
  }
}

export class ConcurrencyFailure extends Failure {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    message: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(message);
  }
}

/** Only where a request would hold more (createVmRequest, approveVmRequest): not a default union member. */
export class QuotaExceededFailure extends Failure {
  readonly code = 'QUOTA_EXCEEDED';
  constructor(
    message: string,
    readonly resource: QuotaResource,
    readonly limit: number,
    readonly used: number,
    readonly requested: number,
  ) {
    super(message);
  }
}

/** Only approveVmRequest: the tenant has no vCenter connection and this server does not simulate one. */
export class ProvisioningNotConfiguredFailure extends Failure {
  readonly code = 'PROVISIONING_NOT_CONFIGURED';
}

/** Every mutation result union has all of these as members (api.md). */
export const errorClasses = [
  ValidationFailure,
  ConcurrencyFailure,
  InvalidStateFailure,
  NotFoundFailure,
  ForbiddenFailure,
];

const isVmRequestStatus = (value: string): value is VmRequestStatus =>
  (VM_REQUEST_STATUSES as readonly string[]).includes(value);

export const toFailure = (error: DomainError): Failure => {
  switch (error.code) {
    case 'VALIDATION':
      return new ValidationFailure(error.fields);
    case 'NOT_FOUND':
      return new NotFoundFailure(error.message);
    case 'FORBIDDEN':
      return new ForbiddenFailure(error.message);
    case 'INVALID_STATE':
      return new InvalidStateFailure(
        error.message,
        isVmRequestStatus(error.currentStatus) ? error.currentStatus : null,
      );
    case 'CONCURRENCY_CONFLICT':
      return new ConcurrencyFailure(error.message, error.expectedVersion, error.actualVersion);
    case 'QUOTA_EXCEEDED':
      return new QuotaExceededFailure(error.message, error.resource, error.limit, error.used, error.requested);
    case 'PROVISIONING_NOT_CONFIGURED':
      return new ProvisioningNotConfiguredFailure(error.message);
    default: {
      const unhandled: never = error;
      throw new Error(`Unhandled domain error ${JSON.stringify(unhandled)}`);
    }
  }
};

/** Ends a mutation resolver with the domain's refusal as the matching error member of its result union. */
export const refuse = (error: DomainError | Failure): never => {
  throw error instanceof Failure ? error : toFailure(error);
};
