import { type ExecutionResult, GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import { isIntentional, logUnexpected, maskedError, withRequestId } from '../errors.ts';
import type { Logger } from '../logger.ts';

type WithRequestId = { requestId?: string };

/**
 * Masks unexpected errors of execution and of subscription streams (a resolver hitting a database outage, a bug)
 * where the operation's context, and so its request id, is at hand: the original goes to the log under that id,
 * the client gets "Unexpected error." with `extensions.requestId`. Runs before yoga's own masking, which then finds
 * nothing left to mask. Errors raised on purpose (GraphQLErrors all the way down) pass unchanged.
 */
export function useUnexpectedErrors(logger: Logger, unidentified: WeakSet<object>): Plugin<WithRequestId, WithRequestId> {
  const mask = (error: unknown, requestId: string | undefined, where: string): GraphQLError => {
    if (isIntentional(error)) return error as GraphQLError;
    logUnexpected(logger, error, requestId, where);
    return maskedError(error, requestId);
  };
  const maskResult =
    (requestId: string | undefined, where: string) =>
    ({ result, setResult }: { result: ExecutionResult; setResult: (result: ExecutionResult) => void }) => {
      if (!result.errors?.some((error) => !isIntentional(error))) return;
      setResult({ ...result, errors: result.errors.map((error) => mask(error, requestId, where)) });
    };

  return {
    onExecute({ args }) {
      const requestId = (args.contextValue as WithRequestId).requestId;
      return {
        onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, maskResult(requestId, 'in execution')),
      };
    },
    onSubscribe({ args }) {
      const requestId = (args.contextValue as WithRequestId).requestId;
      return {
        onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, maskResult(requestId, 'in a subscription')),
        onSubscribeError: ({ error, setError }) => setError(mask(error, requestId, 'in a subscription source')),
      };
    },
    // Over HTTP, an error masked outside execution (by yoga's maskError) still gets the request's id.
    onResultProcess({ result, setResult, serverContext }) {
      const requestId = serverContext.requestId;
      if (!requestId || Symbol.asyncIterator in result) return;
      const results = Array.isArray(result) ? result : [result];
      let changed = false;
      const next = results.map((single: ExecutionResult) => {
        const identified = identifyMaskedErrors(single, requestId, unidentified, logger);
        if (!identified) return single;
        changed = true;
        return identified;
      });
      if (changed) setResult(Array.isArray(result) ? next : next[0]!);
    },
  };
}

/**
 * `result` with the request id on its errors that were masked outside execution (and a log line tying the two),
 * or null when it has none: for HTTP answers, which know their request.
 */
export function identifyMaskedErrors(
  result: ExecutionResult,
  requestId: string,
  unidentified: WeakSet<object>,
  logger: Logger,
): ExecutionResult | null {
  const errors = result.errors && withRequestId(result.errors, unidentified, requestId);
  if (!errors) return null;
  logger.error('unexpected error answered', { requestId, message: 'see "unexpected error outside execution" above' });
  return { ...result, errors };
}
