import type { QuotaResource } from './quota.ts';
import type { Result } from './result.ts';

export type DomainErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'INVALID_STATE'
  | 'CONCURRENCY_CONFLICT'
  | 'QUOTA_EXCEEDED'
  | 'PROVISIONING_NOT_CONFIGURED';

/** One input field that breaks its rule, and how. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * A refusal the caller can cause. Each code carries exactly the details the API reports for it
 * (api.md: ValidationError.field and fields, InvalidStateError.currentStatus, ConcurrencyError versions,
 * QuotaExceededError's resource and figures).
 * VALIDATION names every invalid field in `fields`; `field` and `message` are the first of them.
 */
export type DomainError =
  | { code: 'VALIDATION'; message: string; field: string; fields: readonly [FieldError, ...FieldError[]] }
  | { code: 'NOT_FOUND'; message: string }
  | { code: 'FORBIDDEN'; message: string }
  | { code: 'INVALID_STATE'; message: string; currentStatus: string }
  | { code: 'CONCURRENCY_CONFLICT'; message: string; expectedVersion: number; actualVersion: number }
  | {
      code: 'QUOTA_EXCEEDED';
      message: string;
      resource: QuotaResource;
      limit: number;
      /** What the project's other counted requests hold. */
      used: number;
      requested: number;
    }
  /** The tenant has no vCenter connection and this server does not simulate one: nothing could be provisioned. */
  | { code: 'PROVISIONING_NOT_CONFIGURED'; message: string };

export type DomainResult<T> = Result<T, DomainError>;

export const validationError = (field: string, message: string): DomainError => invalidFields([{ field, message }]);

/** One VALIDATION refusal for several invalid fields, so a form learns all its mistakes at once. */
export const invalidFields = (fields: readonly [FieldError, ...FieldError[]]): DomainError => ({
  code: 'VALIDATION',
  field: fields[0].field,
  message: fields[0].message,
  fields,
});

export const notFound = (message: string): DomainError => ({ code: 'NOT_FOUND', message });

export const forbidden = (message: string): DomainError => ({ code: 'FORBIDDEN', message });

export const invalidState = (currentStatus: string, message: string): DomainError => ({
  code: 'INVALID_STATE',
  currentStatus,
  message,
});

export const concurrencyConflict = (expectedVersion: number, actualVersion: number): DomainError => ({
  code: 'CONCURRENCY_CONFLICT',
  expectedVersion,
  actualVersion,
  message: `Expected version ${expectedVersion} but the current version is ${actualVersion}; reload and retry`,
});

export const isDomainError = (value: unknown): value is DomainError =>
  typeof value === 'object' &&
  value !== null &&
  'code' in value &&
  'message' in value &&
  typeof (value as { code: unknown }).code === 'string';
