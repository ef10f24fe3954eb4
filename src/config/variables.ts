import { DEFAULT_POOL_MAX } from '../db/client.ts';
import { atLeastBytes, flag, milliseconds, origins, path, text, url, urls, type ValueType, wholeNumber } from './types.ts';

/**
 * One environment variable: its type, its default, what it means, and whether it is a secret (then no message
 * repeats its value). `value` is the default when unset or blank; without one the variable is optional, and where
 * its default depends on other variables (`NODE_ENV`), `shownDefault` says which and config.ts works it out.
 */
export interface Variable<T> {
  type: ValueType<T>;
  value?: T;
  shownDefault?: string;
  description: string;
  secret?: boolean;
}

/** A variable with a fixed default keeps `value` in its type, so its parsed value is never undefined. */
function variable<T>(definition: Variable<T> & { value: T }): Variable<T> & { value: T };
function variable<T>(definition: Variable<T> & { shownDefault: string }): Variable<T>;
function variable<T>(definition: Variable<T>): Variable<T> {
  return definition;
}

export const MIN_JWT_SECRET_BYTES = 32;

/** Provisioning defaults follow domain.md: 5 attempts, waits of 10, 20, 40, 80 s, none longer than 120 s. */
export const PROVISIONING_DEFAULTS = {
  maxAttempts: 5,
  backoffMs: 10_000,
  backoffMaxMs: 120_000,
  networkTimeoutMs: 60_000,
  concurrency: 4,
  reconcileIntervalMs: 60_000,
} as const;

/**
 * Every variable `npm start` and `npm run cli` read, in the order of the README's table (printed from this list by
 * `npm run config:table`). Tests and benchmarks read their own (TEST_DATABASE_URL, BENCH_*), outside this list.
 */
export const VARIABLES = {
  DATABASE_URL: variable({
    type: url(['postgres', 'postgresql']),
    shownDefault: 'unset: embedded Postgres',
    description: 'The Postgres server and database to use (`postgres://user:password@host:port/db`).',
    secret: true,
  }),
  DATABASE_POOL_MAX: variable({
    type: wholeNumber(2, 1_000),
    value: DEFAULT_POOL_MAX,
    description:
      "Connections in the instance's pool. The projector, live feed and provisioning open a few more outside it (see [Connections](docs/operations.md#connections)).",
  }),
  DATABASE_READ_URL: variable({
    type: urls(['postgres', 'postgresql']),
    shownDefault: 'unset: every read on the primary',
    description:
      'Streaming replicas of `DATABASE_URL` for queries and the live feed\'s reads, comma-separated; commands, the projector, provisioning and LISTEN stay on the primary (see [Read replicas](docs/operations.md#read-replicas)).',
    secret: true,
  }),
  READ_REPLICA_WAIT_MS: variable({
    type: milliseconds(0, 10_000),
    value: 200,
    description:
      'How long a read that must include a position (the caller\'s own write, `DVMM-Min-Cursor`, a live change) waits for a replica to replay it before it goes to the primary.',
  }),
  READ_REPLICA_MAX_LAG_MS: variable({
    type: milliseconds(100, 3_600_000),
    value: 5_000,
    description: 'A replica whose replay lags more is taken out of rotation until it catches up; replicas are probed this often (at most every second).',
  }),
  DVMM_DATA_DIR: variable({
    type: path,
    value: '.data',
    description:
      'Data folder of the embedded Postgres, relative to the working directory (only without `DATABASE_URL`; as root, moved to `/var/lib/dvmm/` when the postgres user cannot reach it). The development JWT secret and seal key are kept next to the folder named here.',
  }),
  PORT: variable({
    type: wholeNumber(0, 65_535),
    value: 4000,
    description: 'HTTP port: `/graphql` (HTTP, SSE, WebSocket, GraphiQL), `/health`, `/ready`, and `/metrics` unless `METRICS_PORT` is set. `0` picks a free one.',
  }),
  HOST: variable({ type: text, shownDefault: 'all interfaces', description: 'Address to listen on, e.g. `127.0.0.1`.' }),
  METRICS_PORT: variable({
    type: wholeNumber(0, 65_535),
    shownDefault: 'unset: `/metrics` on `PORT`; the Docker image: `9464`',
    description: 'Serve `/metrics` on this port alone (on `HOST`); `PORT` then answers 404 there, so publishing the API does not publish the metrics.',
  }),
  NODE_ENV: variable({
    type: text,
    shownDefault: 'unset',
    description:
      '`production`: requires `JWT_SECRET` or `JWT_JWKS_URL`, seeds nothing, prints no tokens, serves no GraphiQL and no introspection and lets no other origin call the API (unless enabled below), and generates no development seal key.',
  }),
  GRAPHIQL_ENABLED: variable({
    type: flag,
    shownDefault: '`true`, in production `false`',
    description:
      "Serve GraphiQL at `GET /graphql` (browsers) and its files under `/graphiql/`; off, those get no page (404 under `/graphiql/`). The demo users' picker is development only either way.",
  }),
  GRAPHQL_INTROSPECTION: variable({
    type: flag,
    shownDefault: 'as `GRAPHIQL_ENABLED`',
    description: 'Answer introspection queries (`__schema`, `__type`); off, they get an `INTROSPECTION_DISABLED` error. `schema.graphql` and codegen do not need it.',
  }),
  JWT_SECRET: variable({
    type: atLeastBytes(MIN_JWT_SECRET_BYTES),
    shownDefault: 'development: generated per data folder',
    description: 'HS256 secret for bearer tokens, e.g. `openssl rand -hex 32`. Every instance needs the same one.',
    secret: true,
  }),
  JWT_JWKS_URL: variable({
    type: url(['https', 'http']),
    shownDefault: 'unset',
    description:
      "JWKS endpoint for RS256/ES256 tokens, e.g. Keycloak's `https://kc/realms/dvmm/protocol/openid-connect/certs`. With `JWT_SECRET` too, HS256 tokens are checked with the secret and others against the JWKS.",
  }),
  JWT_ISSUER: variable({
    type: text,
    shownDefault: 'unset',
    description: "When set, every token's `iss` must match; `npm run token` puts it into the tokens it mints.",
  }),
  JWT_AUDIENCE: variable({
    type: text,
    shownDefault: 'unset',
    description: "When set, every token's `aud` must match; `npm run token` puts it into the tokens it mints.",
  }),
  OIDC_ISSUER: variable({
    type: url(['https', 'http']),
    shownDefault: 'unset: no single sign-on',
    description:
      "The OpenID Connect provider the portal signs in with (authorization code with PKCE), its issuer URL, e.g. Keycloak's `https://kc/realms/dvmm`; with `OIDC_CLIENT_ID`. Its access tokens must be JWTs for the API: set `JWT_JWKS_URL` to the provider's `jwks_uri` (from `<OIDC_ISSUER>/.well-known/openid-configuration`), and `JWT_ISSUER`/`JWT_AUDIENCE` to their `iss`/`aud`. See [Single sign-on](#single-sign-on).",
  }),
  OIDC_CLIENT_ID: variable({
    type: text,
    shownDefault: 'unset',
    description: "The portal's client at the provider: a public client (no secret) allowed the redirect URI `<portal origin>/auth/callback`, the post-logout URI `<portal origin>/sign-in` and refresh tokens. Set with `OIDC_ISSUER`, or neither.",
  }),
  OIDC_SCOPE: variable({
    type: text,
    value: 'openid profile email',
    description: 'Scopes the portal asks the provider for (space-separated; `openid` among them).',
  }),
  OIDC_PROVIDER_NAME: variable({
    type: text,
    shownDefault: "the issuer's host",
    description: 'The name on the sign-in button ("Sign in with …"), e.g. `Acme SSO`.',
  }),
  CORS_ORIGINS: variable({
    type: origins,
    shownDefault: 'development: pages on `localhost`, `127.0.0.1`, `[::1]` (any port); production: none',
    description:
      'Other origins whose web pages may call the API from a browser (`https://portal.example.com,https://admin.example.com`), or `*` for any. Same-origin pages (GraphiQL) need nothing. Credentials (cookies) are never allowed: the API authenticates by the `Authorization` header. An entry that is not an origin (a path, a trailing slash) stops the start.',
  }),
  DVMM_DEMO_SEED: variable({
    type: flag,
    shownDefault: '`true`, in production `false`',
    description: 'Seed the demo tenant `acme` into an empty database.',
  }),
  PROVISIONING_ENABLED: variable({ type: flag, value: true, description: 'Run the provisioning process in this instance.' }),
  PROVISIONING_STAGE_MS: variable({ type: milliseconds(0), value: 2_000, description: 'Duration of each simulated hypervisor stage.' }),
  PROVISIONING_MAX_ATTEMPTS: variable({
    type: wholeNumber(1),
    value: PROVISIONING_DEFAULTS.maxAttempts,
    description: 'Attempts per request, the first included.',
  }),
  PROVISIONING_BACKOFF_MS: variable({
    type: milliseconds(0),
    value: PROVISIONING_DEFAULTS.backoffMs,
    description: 'Wait before the second attempt, doubled before each further one.',
  }),
  PROVISIONING_BACKOFF_MAX_MS: variable({
    type: milliseconds(0),
    value: PROVISIONING_DEFAULTS.backoffMaxMs,
    description: 'No wait between attempts is longer than this.',
  }),
  PROVISIONING_NETWORK_TIMEOUT_MS: variable({
    type: milliseconds(0),
    value: PROVISIONING_DEFAULTS.networkTimeoutMs,
    description: "How long to wait for a VM's IP address before it becomes READY with a warning.",
  }),
  PROVISIONING_CONCURRENCY: variable({
    type: wholeNumber(1),
    value: PROVISIONING_DEFAULTS.concurrency,
    description: 'Requests this instance provisions at the same time.',
  }),
  PROVISIONING_RECONCILE_INTERVAL_MS: variable({
    type: milliseconds(0),
    value: PROVISIONING_DEFAULTS.reconcileIntervalMs,
    description:
      'How often the VMs of READY requests are compared with the hypervisor (one instance at a time), to record those powered off or deleted outside DVMM. `0`: never.',
  }),
  PROVISIONING_SIMULATE_UNCONFIGURED: variable({
    type: flag,
    shownDefault: '`true`, in production `false`',
    description:
      "Provision on the simulated hypervisor for a tenant without a vCenter connection (`setVmwareConnection`). Off, such a tenant's approvals are refused with `ProvisioningNotConfiguredError`.",
  }),
  PROVISIONING_SIMULATOR_STATE_FILE: variable({
    type: path,
    shownDefault: 'unset: in memory',
    description: 'A JSON file in which the simulated hypervisor keeps its VMs across restarts.',
  }),
  DVMM_SECRETS_KEYS: variable({
    type: text,
    shownDefault: 'development: generated per data folder; production: required',
    description:
      "The AES-256-GCM keys that encrypt stored secrets (tenants' vCenter passwords): `id:<base64 of 32 bytes>[,id:<...>]`. The first encrypts, all decrypt; to rotate, put a new key first and run `npm run cli -- secrets:rotate` (see [Secrets](docs/operations.md#secrets)). Without it, development keeps a key in `<DVMM_DATA_DIR>.secrets-key`.",
    secret: true,
  }),
  DVMM_SEAL_KEY: variable({
    type: text,
    shownDefault: 'development: generated per data folder; production: none (a warning)',
    description:
      "The Ed25519 private key that signs the audit trail's seals (PKCS#8, PEM or base64 of DER; see [Audit trail](#audit-trail)). Keep it out of the database and its backups.",
    secret: true,
  }),
  DVMM_SEAL_KEY_FILE: variable({
    type: path,
    shownDefault: 'unset',
    description:
      'A file holding that key, instead of `DVMM_SEAL_KEY`. Without either: in development a key generated once per data folder (`<DVMM_DATA_DIR>.seal-key`, git-ignored); in production no seals (the global chain is still kept) and a warning at start.',
  }),
  DVMM_SEAL_INTERVAL_MS: variable({
    type: milliseconds(100, 86_400_000),
    value: 10_000,
    description: "How often the head of the audit trail's chain is sealed when the log has moved.",
  }),
  DVMM_VERSION_RETENTION_DAYS: variable({
    type: wholeNumber(1, 3_650),
    value: 14,
    description:
      'Days every version of a request is kept for `vmRequestChanges(since:)` and for subscribers catching up; a `since` older than that gets `CURSOR_EXPIRED` with a cursor to resume from. Pruned hourly.',
  }),
};

export type VariableName = keyof typeof VARIABLES;

type ValueOf<V> = V extends { value: infer T } ? T : V extends Variable<infer T> ? T | undefined : never;

/** Each variable's value as parsed: its default when it has one and is unset, otherwise possibly undefined. */
export type Values = { [K in VariableName]: ValueOf<(typeof VARIABLES)[K]> };
