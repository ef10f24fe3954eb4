import { GraphQLError } from 'graphql';
import { LiveError } from '../../live/errors.ts';

/** api.md: an invalid `since` is BAD_USER_INPUT; an expired one CURSOR_EXPIRED, with the cursor to resume from. */
export function liveErrorToGraphQL(error: LiveError, located?: GraphQLError): GraphQLError {
  const code = error.code === 'INVALID_CURSOR' ? 'BAD_USER_INPUT' : error.code;
  return new GraphQLError(error.message, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    extensions: { code, ...(error.cursor ? { cursor: error.cursor } : {}) },
  });
}

/** The LiveError behind `error` (itself, or the original of a GraphQLError), if any. */
export function liveErrorOf(error: unknown): LiveError | null {
  if (error instanceof LiveError) return error;
  if (error instanceof GraphQLError) return liveErrorOf(error.originalError);
  return null;
}

/** Runs a feed call, turning its refusals into the API's errors. */
export async function mappingLiveErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const live = liveErrorOf(error);
    throw live ? liveErrorToGraphQL(live) : error;
  }
}
