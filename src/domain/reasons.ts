import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';
import { charCount } from './text.ts';

export type RejectionReason = string & { readonly __brand: 'RejectionReason' };
export type CancellationReason = string & { readonly __brand: 'CancellationReason' };

export const REJECTION_REASON_MIN = 10;
export const REJECTION_REASON_MAX = 500;
export const CANCELLATION_REASON_MAX = 500;

// Reasons are trimmed before counting, so ten spaces never pass for a reason.
export const parseRejectionReason = (input: string, field = 'reason'): DomainResult<RejectionReason> => {
  const text = input.trim();
  const length = charCount(text);
  if (length < REJECTION_REASON_MIN) {
    return fail(validationError(field, `Rejection reason must be at least ${REJECTION_REASON_MIN} characters`));
  }
  if (length > REJECTION_REASON_MAX) {
    return fail(validationError(field, `Rejection reason must be at most ${REJECTION_REASON_MAX} characters`));
  }
  return ok(text as RejectionReason);
};

/** Optional: absent or blank means no reason. */
export const parseCancellationReason = (
  input: string | null | undefined,
  field = 'reason',
): DomainResult<CancellationReason | undefined> => {
  const text = (input ?? '').trim();
  if (text === '') return ok(undefined);
  if (charCount(text) > CANCELLATION_REASON_MAX) {
    return fail(validationError(field, `Cancellation reason must be at most ${CANCELLATION_REASON_MAX} characters`));
  }
  return ok(text as CancellationReason);
};
