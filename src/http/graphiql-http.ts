import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** A response body compressed once, when built, in every encoding a browser may ask for. */
export interface StaticBody {
  contentType: string;
  /** Hex SHA-256 of the uncompressed body; part of a hashed asset's path and of every ETag. */
  hash: string;
  bodies: Record<Encoding, Buffer>;
}

export type Encoding = 'br' | 'gzip' | 'identity';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

// Brotli quality 5 and gzip 6: GraphiQL's files are compressed at start-up, where brotli's best quality would cost
// many times the CPU for a little less to send. zlib runs on the thread pool, so building never blocks the event loop.
export async function staticBody(contentType: string, content: string | Buffer): Promise<StaticBody> {
  const identity = typeof content === 'string' ? Buffer.from(content) : content;
  const [br, gz] = await Promise.all([
    brotli(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
        ...(contentType.startsWith('text/') || contentType.includes('javascript') ? { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } : {}),
      },
    }),
    gzipAsync(identity, { level: 6 }),
  ]);
  return { contentType, hash: createHash('sha256').update(identity).digest('hex'), bodies: { br, gzip: gz, identity } };
}

/**
 * Sends a StaticBody in the encoding the request accepts best, with its ETag, or 304 when If-None-Match names it.
 * `cacheControl` says how long a cache may keep it: forever for an asset whose path holds its hash, revalidation
 * for the page. Each encoding has its own ETag, as a strong validator must (the bytes differ).
 */
export function sendStatic(req: IncomingMessage, res: ServerResponse, body: StaticBody, cacheControl: string, vary: readonly string[] = []): void {
  const encoding = preferredEncoding(req.headers['accept-encoding']);
  const etag = `"${body.hash.slice(0, 32)}${encoding === 'identity' ? '' : `-${encoding}`}"`;
  res.setHeader('etag', etag);
  res.setHeader('cache-control', cacheControl);
  res.setHeader('vary', [...vary, 'Accept-Encoding'].join(', '));
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304);
    res.end();
    return;
  }
  const bytes = body.bodies[encoding];
  res.writeHead(200, {
    'content-type': body.contentType,
    'content-length': bytes.length,
    ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/**
 * br, else gzip, else none, as Accept-Encoding allows (q=0 refuses one). Hand-written: only these three codings and
 * q=0 matter here, and a negotiation library would bring a dependency for a dozen lines.
 */
export function preferredEncoding(header: string | string[] | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((param) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const allows = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (allows('br')) return 'br';
  if (allows('gzip') || allows('x-gzip')) return 'gzip';
  return 'identity';
}

/** If-None-Match by weak comparison (RFC 9110 13.1.2): a cache may hand back W/ of the tag it stored. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
