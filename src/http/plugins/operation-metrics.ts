import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../metrics.ts';

/**
 * Counts every operation by type, name and outcome, and times queries and mutations. Lives at the envelop level,
 * so operations over HTTP, SSE and WebSocket are counted alike.
 */
export function useOperationMetrics(metrics: Metrics): Plugin {
  return {
    onValidate({ params }) {
      return ({ valid }) => {
        if (valid) return;
        const { type, name } = describe(params.documentAST);
        metrics.operation(type, name, 'invalid');
      };
    },
    onExecute({ args }) {
      const started = process.hrtime.bigint();
      const { type, name } = describe(args.document, args.operationName);
      return {
        onExecuteDone({ result }) {
          const outcome = 'errors' in result && result.errors?.length ? 'error' : 'success';
          metrics.operation(type, name, outcome, seconds(started));
        },
      };
    },
    onSubscribe({ args }) {
      const started = process.hrtime.bigint();
      const { name } = describe(args.document, args.operationName);
      return {
        onSubscribeResult({ result }) {
          // A stream means the subscription is live; a plain result means it was refused (errors only).
          const outcome = Symbol.asyncIterator in result ? 'success' : 'error';
          metrics.operation('subscription', name, outcome, seconds(started));
        },
      };
    },
  };
}

function describe(document: DocumentNode, operationName?: string | null): { type: string; name: string } {
  const operation = getOperationAST(document, operationName ?? undefined);
  return { type: operation?.operation ?? 'unknown', name: operation?.name?.value ?? operationName ?? '' };
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
