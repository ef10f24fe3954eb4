import { ConfigError } from '../config-error.ts';

/**
 * Which web pages on other origins may call the API from a browser (CORS). Same-origin pages, such as the GraphiQL
 * page this server serves, need no CORS at all. Credentials (cookies) are never allowed: the API authenticates by
 * the Authorization header, which a page can only send when its origin is allowed here.
 */
export type CorsPolicy =
  /** Exactly these origins (`https://portal.example.com`), or every origin with `*`. */
  | { kind: 'list'; origins: readonly string[] }
  /** Development: pages served from this machine (localhost, 127.0.0.1, [::1]) on any port. */
  | { kind: 'local' };

export type CorsOptions = {
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  credentials: false;
  maxAge: number;
};

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `CORS_ORIGINS`: a comma-separated list of origins, or `*` for any. Unset: in production no other origin
 * (an empty list), in development every local origin. An entry that is not an origin stops the start.
 */
export function corsPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): CorsPolicy {
  const raw = env['CORS_ORIGINS']?.trim();
  if (raw === undefined || raw === '') return env['NODE_ENV'] === 'production' ? { kind: 'list', origins: [] } : { kind: 'local' };
  const origins = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const origin of origins) {
    if (origin !== '*' && normalizedOrigin(origin) !== origin) {
      throw new ConfigError(`CORS_ORIGINS must list origins such as https://portal.example.com (scheme, host and port only, no trailing slash), or *; got "${origin}"`);
    }
  }
  return { kind: 'list', origins };
}

export function allowsOrigin(policy: CorsPolicy, origin: string): boolean {
  if (policy.kind === 'list') return policy.origins.includes('*') || policy.origins.includes(origin);
  if (normalizedOrigin(origin) !== origin) return false;
  const { protocol, hostname } = new URL(origin);
  return (protocol === 'http:' || protocol === 'https:') && LOCAL_HOSTS.has(hostname);
}

/**
 * yoga's `cors` option: for an allowed Origin the options below, which reflect that origin (with Vary: Origin);
 * for any other, false, so the response carries no CORS headers and the browser keeps it from the page.
 */
export function corsFactory(policy: CorsPolicy): (request: Request) => CorsOptions | false {
  const options: CorsOptions = {
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    credentials: false,
    maxAge: 600,
  };
  return (request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowsOrigin(policy, origin) ? options : false;
  };
}

export function describeCors(policy: CorsPolicy): string {
  if (policy.kind === 'local') return 'local origins (development)';
  if (policy.origins.length === 0) return 'same origin only';
  return policy.origins.join(', ');
}

/** The origin of `value` as browsers send it (`https://host:port`, default port left out), or null. */
function normalizedOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}
