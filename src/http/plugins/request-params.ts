import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * A request whose parameters cannot be read is the client's mistake, answered 400 with code BAD_REQUEST and a
 * message of ours only. yoga's parsers would otherwise answer GET `variables=%7B` (and a form body alike) with the
 * JSON.parse exception, which masking turns into 200 INTERNAL_SERVER_ERROR, and a POST body that is not JSON with
 * the parser's own message in `extensions.originalError` (internals a client has no use for).
 */
export function useRequestParamErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (error) {
          throw asBadRequest(error);
        }
      });
    },
  };
}

function asBadRequest(error: unknown): unknown {
  if (error instanceof SyntaxError) return badRequest('The variables and extensions parameters must be JSON objects.');
  if (!(error instanceof GraphQLError) || error.extensions['originalError'] === undefined) return error;
  const { originalError: _internal, http, ...extensions } = error.extensions as Record<string, unknown>;
  // Without `spec`, the 400 holds whatever the client accepts (yoga lets a spec error of an application/json
  // request answer 200, which it only avoided because of the originalError it leaves out here).
  const status = (http as { status?: number } | undefined)?.status ?? 400;
  return new GraphQLError(error.message, { extensions: { ...extensions, http: { status } } });
}

const badRequest = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
