import type { DomainResult } from './errors.ts';
import { parseOptionalText, parseText } from './text.ts';

export type RejectionReason = string & { readonly __brand: 'RejectionReason' };
export type CancellationReason = string & { readonly __brand: 'CancellationReason' };

export const REJECTION_REASON_MIN = 10;
export const REJECTION_REASON_MAX = 500;
export const CANCELLATION_REASON_MAX = 500;

// Reasons are trimmed before counting, so ten spaces never pass for a reason.
export const parseRejectionReason = (input: string, field = 'reason'): DomainResult<RejectionReason> =>
  parseText(input, field, {
    label: 'Rejection reason',
    min: REJECTION_REASON_MIN,
    max: REJECTION_REASON_MAX,
    multiline: true,
  }) as DomainResult<RejectionReason>;

/** Optional: absent or blank means no reason. */
export const parseCancellationReason = (
  input: string | null | undefined,
  field = 'reason',
): DomainResult<CancellationReason | undefined> =>
  parseOptionalText(input, field, {
    label: 'Cancellation reason',
    max: CANCELLATION_REASON_MAX,
    multiline: true,
  }) as DomainResult<CancellationReason | undefined>;
