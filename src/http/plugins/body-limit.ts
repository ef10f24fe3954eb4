import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const tooLarge = (): GraphQLError =>
  new GraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });

const CONTENT_LENGTH = /^\d+$/;

/**
 * The request body limit, cheap in the common case. yoga's own (`maxRequestBodySize`) pipes every body through a
 * counting TransformStream, whose pipeline ends by raising an AbortError DOMException, stack trace and all, which is
 * no small part of a small request's CPU. A body with a Content-Length cannot be longer than announced (Node's
 * HTTP parser reads exactly that many bytes), so checking the header is enough; only a body without one (chunked)
 * is counted as it streams in, the same way yoga does.
 */
export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!CONTENT_LENGTH.test(contentLength)) {
          throw new GraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(contentLength) > limit) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => parse(countingBody(req, limit, fetchAPI)));
    },
  };
}

type FetchApi = Parameters<NonNullable<Plugin['onRequestParse']>>[0]['fetchAPI'];

function countingBody(request: Request, limit: number, fetchAPI: FetchApi): Request {
  const body = request.body!;
  // A native stream needs the native TransformStream (mixing it with the ponyfill's fails).
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let bytes = 0;
  const counted = body.pipeThrough(
    new Transform({
      transform(chunk: Uint8Array, controller) {
        bytes += chunk.byteLength;
        if (bytes > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: counted,
    duplex: 'half',
  } as RequestInit & { duplex: 'half' });
}
