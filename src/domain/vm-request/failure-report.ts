import { type DomainResult, validationError } from '../errors.ts';
import { requireText } from '../required-text.ts';
import { fail, ok } from '../result.ts';

export interface FailureReport {
  errorCode: string;
  errorMessage: string;
  attempts: number;
}

/** What the provisioning process reports when it gives up (provisioning or an operation after READY), checked alike. */
export function parseFailureReport(data: { errorCode: string; errorMessage: string; attempts: number }): DomainResult<FailureReport> {
  const errorCode = requireText(data.errorCode, 'errorCode');
  if (!errorCode.ok) return errorCode;
  const errorMessage = requireText(data.errorMessage, 'errorMessage');
  if (!errorMessage.ok) return errorMessage;
  if (!Number.isInteger(data.attempts) || data.attempts < 1) {
    return fail(validationError('attempts', 'attempts must be a whole number of at least 1'));
  }
  return ok({ errorCode: errorCode.value, errorMessage: errorMessage.value, attempts: data.attempts });
}
