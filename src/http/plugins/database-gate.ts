import type { ExecutionResult, GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { DatabaseAvailability } from '../../db/availability.ts';
import { isConnectionError } from '../../db/connection-errors.ts';
import { serviceUnavailable } from '../errors.ts';

type WithRequestId = { requestId?: string };

const isUnavailable = (error: GraphQLError): boolean =>
  isConnectionError(error) || error.extensions?.['code'] === 'SERVICE_UNAVAILABLE';

/**
 * Fail fast during a database outage. A query or mutation whose result carries a connection failure marks the
 * database unavailable (db/availability.ts); until a probe gets an answer again, every query and mutation is answered
 * at once with SERVICE_UNAVAILABLE (HTTP 503, Retry-After) instead of waiting on a pool that cannot connect.
 * Subscriptions are let through: one without `since` needs no database to start, and the live feed catches it up
 * when the database is back; one that does need it fails with the same retryable error.
 */
export function useDatabaseGate(availability: DatabaseAvailability): Plugin<WithRequestId> {
  const notice = ({ result }: { result: ExecutionResult }): void => {
    const failure = result.errors?.find(isUnavailable);
    if (failure) availability.report(isConnectionError(failure) ? failure : Object.assign(new Error(failure.message), { code: 'CONNECTION_CLOSED' }));
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!availability.available()) {
        setResultAndStopExecution({ errors: [serviceUnavailable((args.contextValue as WithRequestId).requestId)] });
        return;
      }
      return { onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, notice) };
    },
    onSubscribe() {
      return {
        onSubscribeError: ({ error }) => {
          availability.report(error);
        },
      };
    },
  };
}
