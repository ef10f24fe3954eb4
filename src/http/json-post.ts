import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import { sendNodeResponse } from '@whatwg-node/server';
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { Authenticator } from './auth.ts';
import { UNEXPECTED_MESSAGE } from './errors.ts';
import type { Logger } from './logger.ts';
import { MIN_CURSOR_HEADER } from './read-routing/headers.ts';
import { identifyMaskedErrors } from './plugins/unexpected-errors.ts';
import type { ServerContext } from './server-context.ts';

type Yoga = YogaServerInstance<ServerContext, GraphQLContext>;

export interface JsonPostOptions {
  yoga: Yoga;
  authenticator: Authenticator;
  maxBodyBytes: number;
  /** yoga's maskError (errors.ts createMaskError), for a failure outside execution, as yoga masks it. */
  maskError: (error: unknown, message: string) => Error;
  /** Errors masked without knowing the request id (see errors.ts withRequestId). */
  unidentified: WeakSet<object>;
  logger: Logger;
}

export interface JsonPostHandler {
  /** Whether this request is one for this path, from its method and headers alone (nothing is read yet). */
  accepts(req: IncomingMessage): boolean;
  /** Answers it; anything this path would not answer exactly as yoga does goes to yoga with the body read so far. */
  handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void>;
}

/** One GraphQL request as the body of a JSON POST carries it (GraphQL over HTTP). */
interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

const PARAM_NAMES = new Set(['query', 'variables', 'operationName', 'extensions']);
const CONTENT_LENGTH = /^\d+$/;
const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * POST /graphql with a JSON body, the request of every API client, executed through yoga's envelop (the same
 * plugins as every other transport: limits, parse and validation caches, masking, metrics, scope-auth) without
 * yoga's translation of the Node request into a Fetch API Request and of its Response back, which is a large part
 * of a small mutation's server CPU. graphql-ws operations already run this way (ws.ts).
 *
 * It takes only what yoga would answer with one JSON document: a Content-Length within the limit, a JSON content
 * type, an Accept that yoga answers with application/json or application/graphql-response+json (negotiatedJson),
 * no Origin (so no CORS headers are due) and a bearer token. A body that is not one well-formed operation
 * (batches, unknown parameters, wrong types), a refused token, a syntax error and a subscription go on to yoga,
 * body and all, and get yoga's own answer: nothing has executed by then. Results, including validation and
 * execution errors, get yoga's status, headers and body (processRegularResult, and the request id on errors masked
 * outside execution, as plugins/unexpected-errors.ts adds it on yoga's path). test/e2e/http-json-post.test.ts
 * compares the two paths' answers.
 */
export function createJsonPostHandler(options: JsonPostOptions): JsonPostHandler {
  const { yoga, authenticator, maxBodyBytes, maskError, unidentified, logger } = options;

  const toYoga = async (req: IncomingMessage, res: ServerResponse, requestId: string, body: Buffer): Promise<void> => {
    const headers = new yoga.fetchAPI.Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    // As yoga's Node adapter does: the request is aborted when the client goes (ends an SSE subscription).
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    const request = new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: 'POST',
      headers,
      body: body as unknown as BodyInit,
      signal: aborted.signal,
    });
    await sendNodeResponse(await yoga.handleRequest(request, { requestId }), res, req, true);
  };

  return {
    accepts(req) {
      const { headers } = req;
      if (req.method !== 'POST' || headers.origin !== undefined || !headers.authorization) return false;
      const length = headers['content-length'];
      if (length === undefined || !CONTENT_LENGTH.test(length) || Number(length) > maxBodyBytes) return false;
      if (!JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')) return false;
      return negotiatedJson(headers.accept) !== null;
    },

    async handle(req, res, requestId) {
      const mediaType = negotiatedJson(req.headers.accept)!; // accepts() said it is one
      const body = await readBody(req);
      const params = paramsOf(body);
      if (!params) return toYoga(req, res, requestId, body);
      const auth = await authenticator.authenticate(req.headers.authorization);
      if (!auth.ok) return toYoga(req, res, requestId, body);

      const minCursor = req.headers[MIN_CURSOR_HEADER];
      const enveloped = yoga.getEnveloped({ requestId, principal: auth.principal, params, minCursor: typeof minCursor === 'string' ? minCursor : null });
      let document;
      try {
        document = enveloped.parse(params.query);
      } catch (error) {
        // yoga answers a GraphQLError from parsing (syntax, token limit) as a result; anything else goes to it.
        if (!(error instanceof GraphQLError)) return toYoga(req, res, requestId, body);
        return respond(req, res, { errors: [asParseFailure(error)] }, mediaType, yoga);
      }
      const operation = getOperationAST(document, params.operationName ?? undefined);
      // yoga checks this right after parsing (its usePreventMutationViaGET), before validation: the same answer.
      if (!operation) return respond(req, res, { errors: [unresolvedOperation()] }, mediaType, yoga);
      if (operation.operation === 'subscription') return toYoga(req, res, requestId, body);

      let result: ExecutionResult;
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) result = { errors };
      else {
        try {
          const contextValue = await enveloped.contextFactory();
          const executed = await enveloped.execute({
            schema: enveloped.schema,
            document,
            contextValue,
            variableValues: params.variables,
            operationName: params.operationName,
          });
          // No @defer or @stream in this schema, so a query or mutation has one result.
          if (Symbol.asyncIterator in executed) throw new Error('an operation answered a stream over a JSON POST');
          result = executed;
        } catch (error) {
          // What yoga does with a failure that escapes execution (its handleError): masked, as a result.
          const masked = maskError(error, UNEXPECTED_MESSAGE);
          result = { errors: [masked instanceof GraphQLError ? masked : new GraphQLError(masked.message, { originalError: masked })] };
        }
      }
      await respond(req, res, identifyMaskedErrors(result, requestId, unidentified, logger) ?? result, mediaType, yoga);
    },
  };
}

type JsonMediaType = 'application/json' | 'application/graphql-response+json';

/**
 * The media type yoga answers a query or mutation with for this Accept header, when it is one of the two JSON ones
 * (yoga's result-processor/accept.js and use-result-processor.js: the first listed type the JSON processor can
 * serve decides; a wildcard means application/json); null for anything else (yoga answers those).
 */
export function negotiatedJson(accept: string | undefined): JsonMediaType | null {
  for (const type of (accept ?? '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [mediaType, ...parameters] = type.split(';');
    const charset = parameters.find((p) => p.includes('charset='));
    if (charset !== undefined && charset !== 'charset=utf-8') continue; // yoga skips these
    if (mediaType === 'application/graphql-response+json') return mediaType;
    if (mediaType === 'application/json' || mediaType === 'application/*' || mediaType === '*/*') return 'application/json';
    if (mediaType === 'text/event-stream' || mediaType === 'multipart/mixed' || mediaType === 'text/*' || mediaType === 'multipart/*') {
      return null; // a stream processor might take part: leave it to yoga
    }
  }
  return null;
}

/** The body exactly as received; Node's parser stops at Content-Length, which accepts() checked. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** The operation, when the body is exactly one well-formed operation (yoga checks and answers the rest). */
function paramsOf(body: Buffer): Params | null {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(value) || typeof value['query'] !== 'string') return null;
  for (const key in value) if (value[key] != null && !PARAM_NAMES.has(key)) return null;
  const { variables, operationName, extensions } = value;
  if (variables != null && !isObject(variables)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (extensions != null && !isObject(extensions)) return null;
  return value as unknown as Params;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An error-free result as yoga sends it (its processRegularResult: extensions.http gives the status and headers and
 * is left out of the body, as are extensions left empty), e.g. every mutation's, which carries its cursor; any other
 * through yoga's own result processor.
 */
async function respond(req: IncomingMessage, res: ServerResponse, result: ExecutionResult, mediaType: JsonMediaType, yoga: Yoga): Promise<void> {
  if (!result.errors) {
    const { http, ...extensions } = (result.extensions ?? {}) as { http?: { status?: number; headers?: Record<string, string> } };
    const json = JSON.stringify(Object.keys(extensions).length > 0 ? { data: result.data, extensions } : { data: result.data });
    res.writeHead(http?.status || 200, {
      'content-type': `${mediaType}; charset=utf-8`,
      ...http?.headers,
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
    return;
  }
  await sendNodeResponse(await processRegularResult(result, yoga.fetchAPI, mediaType), res, req, true);
}

/**
 * A parse error as yoga's HTTP path leaves it (usePreventMutationViaGET marks it, in place, once it knows the
 * request): code GRAPHQL_PARSE_FAILED and a 400 where the media type lets the status speak. In place too, since
 * yoga's parse cache keeps this very object for the next request with the same text, whichever path that takes.
 */
function asParseFailure(error: GraphQLError): GraphQLError {
  const extensions = ((error as { extensions: Record<string, unknown> }).extensions ||= {});
  extensions['code'] ||= 'GRAPHQL_PARSE_FAILED';
  const http = (extensions['http'] ||= {}) as { spec?: boolean; status?: number };
  http.spec ||= true;
  http.status ||= 400;
  return error;
}

/** yoga's answer to a document without the operation `operationName` names (or with several and no name). */
function unresolvedOperation(): GraphQLError {
  return new GraphQLError('Could not determine what operation to execute.', {
    extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
  });
}
