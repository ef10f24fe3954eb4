import { type Config, type Env, originOf, parseConfig } from '../config/index.ts';

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
 * CORS_ORIGINS as checked by the configuration (src/config/): the origins listed, or `*` for any. Unset: in
 * production no other origin (an empty list), in development every local origin.
 */
export function corsPolicy(config: Pick<Config, 'production' | 'corsOrigins'>): CorsPolicy {
  if (config.corsOrigins === undefined) return config.production ? { kind: 'list', origins: [] } : { kind: 'local' };
  return { kind: 'list', origins: config.corsOrigins };
}

/** The policy a given environment asks for (its variables checked as at start-up). */
export const corsPolicyFromEnv = (env: Env): CorsPolicy => corsPolicy(parseConfig(env));

export function allowsOrigin(policy: CorsPolicy, origin: string): boolean {
  if (policy.kind === 'list') return policy.origins.includes('*') || policy.origins.includes(origin);
  if (originOf(origin) !== origin) return false;
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
    allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id', 'dvmm-min-cursor'],
    exposedHeaders: ['x-request-id', 'retry-after', 'dvmm-cursor'],
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
