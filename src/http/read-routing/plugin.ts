import { type ExecutionArgs, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isConnectionError } from '../../db/connection-errors.ts';
import type { ReadHandle, ReadReplicas } from '../../db/read-replicas.ts';
import { collectAppends, type GlobalCheckpoint } from '../../event-store/index.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { compareCheckpoints, decodeCursor, encodeCursor } from '../../projections/cursor.ts';
import type { ServerContext } from '../server-context.ts';
import { CURSOR_HEADER, MIN_CURSOR_HEADER } from './headers.ts';
import { callerKey, type CallerPositions } from './caller-positions.ts';
import { writtenPosition } from './written-cursor.ts';


type Context = GraphQLContext & ServerContext;
type Execute = (args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult;

/**
 * Where each operation reads (architecture decision 20). A query reads from a replica whose read models include
 * the newest of: the caller's own last write on this instance (or liveCursor handed to them), and `DVMM-Min-Cursor`
 * (header, or `minCursor` in graphql-ws connection params); without either, from any replica in rotation. A query on
 * a replica that loses its connection is run again on the primary. A mutation runs on the primary as always; when it
 * appended, its result carries `extensions.cursor` and the `DVMM-Cursor` header, and this instance remembers it for
 * the caller. Subscriptions keep the primary for their own resolvers; the live feed routes its reads of versions.
 */
export function useReadRouting(readers: ReadReplicas, positions: CallerPositions): Plugin {
  const primary = readers.primary;

  const runQuery = async (execute: Execute, args: ExecutionArgs, min: GlobalCheckpoint | null): Promise<ExecutionResult> => {
    const context = args.contextValue as Context;
    const run = (handle: ReadHandle) => {
      context.db = handle.db;
      context.sql = handle.sql;
      return execute(args);
    };
    const handle = await readers.readerFor(min);
    const result = await run(handle);
    if (handle === primary) return result;
    const lost = result.errors?.find((error) => isConnectionError(error));
    if (!lost) return result;
    // A query writes nothing, so running it again elsewhere is safe; the replica leaves rotation until it answers.
    readers.reportFailure(handle, lost);
    return run(await readers.primaryAfterFailure(min));
  };

  const runMutation = async (execute: Execute, args: ExecutionArgs): Promise<ExecutionResult> => {
    const context = args.contextValue as Context;
    const { scope, result: pending } = collectAppends(() => execute(args));
    const result = await pending;
    if (scope.positions.length === 0) return result;
    let written: GlobalCheckpoint | null;
    try {
      written = await writtenPosition(primary.sql, scope.positions);
    } catch {
      // The write stands; only its cursor is missing, and the next read simply does not wait for it.
      return result;
    }
    if (!written) return result;
    if (context.principal) positions.raise(callerKey(context.principal), written);
    const cursor = encodeCursor(written);
    const extensions = (result.extensions ?? {}) as Record<string, unknown>;
    if (context.webSocket) return { ...result, extensions: { ...extensions, cursor } };
    // yoga turns extensions.http into the response's status and headers, and leaves it out of the body.
    const http = (extensions['http'] ?? {}) as { headers?: Record<string, string> };
    return {
      ...result,
      extensions: { ...extensions, cursor, http: { ...http, headers: { ...http.headers, [CURSOR_HEADER]: cursor } } },
    };
  };

  return {
    onRequestParse({ request, serverContext }) {
      (serverContext as unknown as ServerContext).minCursor = request.headers.get(MIN_CURSOR_HEADER);
    },

    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      const context = args.contextValue as unknown as Context;
      if (operation === 'mutation') {
        setExecuteFn((mutation) => runMutation(executeFn, mutation));
        return;
      }
      if (operation !== 'query') return;
      let min: GlobalCheckpoint | null = null;
      if (context.minCursor) {
        min = decodeCursor(context.minCursor);
        if (!min) {
          setResultAndStopExecution({ errors: [invalidMinCursor()] });
          return;
        }
      }
      const key = context.principal ? callerKey(context.principal) : null;
      const own = key ? positions.get(key) : null;
      if (own && (!min || compareCheckpoints(own, min) > 0)) min = own;
      // liveCursor raises the caller's floor: a query after it, on another replica, must not be older.
      if (key) context.raiseReadFloor = (cursor) => {
        const position = decodeCursor(cursor);
        if (position) positions.raise(key, position);
      };
      setExecuteFn((query) => runQuery(executeFn, query, min));
    },
  };
}

/** A `DVMM-Min-Cursor` that is no cursor this API handed out: refused, nothing read. */
function invalidMinCursor(): GraphQLError {
  return new GraphQLError('DVMM-Min-Cursor is not a cursor this API handed out', {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}
