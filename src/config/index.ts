import { z } from 'zod';
import { ConfigError } from '../config-error.ts';
import { PROVISIONING_DEFAULTS, type Values, VARIABLES, type VariableName } from './variables.ts';

export { PROVISIONING_DEFAULTS, VARIABLES, type VariableName } from './variables.ts';
export { originOf } from './types.ts';

/** The environment as given: process.env, or a test's own record. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Everything the server and the CLI take from the environment, checked and with every default filled in. */
export interface Config {
  /** NODE_ENV=production. */
  production: boolean;
  /** Unset: the embedded Postgres in `dataDir`. */
  databaseUrl: string | undefined;
  poolMax: number;
  /** DATABASE_READ_URL: streaming replicas for reads (empty: none). */
  readReplicas: { urls: readonly string[]; waitMs: number; maxLagMs: number };
  dataDir: string;
  port: number;
  host: string | undefined;
  /** Unset: /metrics on `port`. */
  metricsPort: number | undefined;
  graphiql: boolean;
  introspection: boolean;
  /** CORS_ORIGINS as listed; undefined when unset (cors.ts decides what that means). */
  corsOrigins: readonly string[] | undefined;
  demoSeed: boolean;
  auth: { secret: string | undefined; jwksUrl: string | undefined; issuer: string | undefined; audience: string | undefined };
  /** The portal's single sign-on (OIDC_ISSUER with OIDC_CLIENT_ID); undefined when neither is set. */
  oidc: { authority: string; clientId: string; scope: string; name: string } | undefined;
  provisioning: {
    enabled: boolean;
    stageMs: number;
    simulatorStateFile: string | undefined;
    /** A tenant without a vCenter connection provisions on the simulated hypervisor (else approvals are refused). */
    simulateUnconfigured: boolean;
    options: { -readonly [K in keyof typeof PROVISIONING_DEFAULTS]: number };
  };
  sealing: { key: string | undefined; keyFile: string | undefined; intervalMs: number };
  /** DVMM_SECRETS_KEYS as given (src/secrets/config.ts parses it, or makes the development key). */
  secrets: { keys: string | undefined };
  /** How long every version of a request is kept (vm_request_versions). */
  versionRetentionMs: number;
}

// Blank counts as unset, as a shell's `PORT= npm start` means; values are trimmed, as a pasted value may end in a newline.
const unsetWhenBlank = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

const ENV_SCHEMA = z.object(
  Object.fromEntries(
    Object.entries(VARIABLES).map(([name, variable]) => {
      const schema = variable.type.schema as z.ZodType<unknown>;
      return [name, z.preprocess(unsetWhenBlank, 'value' in variable ? schema.default(variable.value) : schema.optional())];
    }),
  ),
);

/**
 * Checks every variable at once and fills in the defaults. Throws a ConfigError naming each wrong variable and what
 * is wrong with it (with the value given, unless the variable is a secret); a clean message, as the user fixes it.
 */
export function parseConfig(env: Env): Config {
  // reportInput: a list's issue carries its wrong entry, which the message names.
  const parsed = ENV_SCHEMA.safeParse(env, { reportInput: true });
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, env));
  return resolve(parsed.data as Values);
}

let processConfig: Config | undefined;

/** The configuration of this process, parsed from process.env once; entry points call it before anything starts. */
export function loadConfig(): Config {
  processConfig ??= parseConfig(process.env);
  return processConfig;
}

function resolve(values: Values): Config {
  const production = values.NODE_ENV === 'production';
  const graphiql = values.GRAPHIQL_ENABLED ?? !production;
  return {
    production,
    databaseUrl: values.DATABASE_URL,
    poolMax: values.DATABASE_POOL_MAX,
    readReplicas: { urls: values.DATABASE_READ_URL ?? [], waitMs: values.READ_REPLICA_WAIT_MS, maxLagMs: values.READ_REPLICA_MAX_LAG_MS },
    dataDir: values.DVMM_DATA_DIR,
    port: values.PORT,
    host: values.HOST,
    metricsPort: values.METRICS_PORT,
    graphiql,
    introspection: values.GRAPHQL_INTROSPECTION ?? graphiql,
    corsOrigins: values.CORS_ORIGINS,
    demoSeed: values.DVMM_DEMO_SEED ?? !production,
    auth: { secret: values.JWT_SECRET, jwksUrl: values.JWT_JWKS_URL, issuer: values.JWT_ISSUER, audience: values.JWT_AUDIENCE },
    oidc: oidcOf(values),
    provisioning: {
      enabled: values.PROVISIONING_ENABLED,
      stageMs: values.PROVISIONING_STAGE_MS,
      simulatorStateFile: values.PROVISIONING_SIMULATOR_STATE_FILE,
      simulateUnconfigured: values.PROVISIONING_SIMULATE_UNCONFIGURED ?? !production,
      options: {
        maxAttempts: values.PROVISIONING_MAX_ATTEMPTS,
        backoffMs: values.PROVISIONING_BACKOFF_MS,
        backoffMaxMs: values.PROVISIONING_BACKOFF_MAX_MS,
        networkTimeoutMs: values.PROVISIONING_NETWORK_TIMEOUT_MS,
        concurrency: values.PROVISIONING_CONCURRENCY,
        reconcileIntervalMs: values.PROVISIONING_RECONCILE_INTERVAL_MS,
      },
    },
    sealing: { key: values.DVMM_SEAL_KEY, keyFile: values.DVMM_SEAL_KEY_FILE, intervalMs: values.DVMM_SEAL_INTERVAL_MS },
    secrets: { keys: values.DVMM_SECRETS_KEYS },
    versionRetentionMs: values.DVMM_VERSION_RETENTION_DAYS * 86_400_000,
  };
}

// Either half alone would offer a sign-in that cannot work (no client, or no provider): refused at start.
function oidcOf(values: Values): Config['oidc'] {
  const { OIDC_ISSUER: authority, OIDC_CLIENT_ID: clientId } = values;
  if (authority === undefined && clientId === undefined) return undefined;
  if (authority === undefined || clientId === undefined) {
    const [set, unset] = authority === undefined ? ['OIDC_CLIENT_ID', 'OIDC_ISSUER'] : ['OIDC_ISSUER', 'OIDC_CLIENT_ID'];
    throw new ConfigError(`${set} is set but ${unset} is not: single sign-on needs both (the provider and the portal's client there), or neither`);
  }
  if (!values.OIDC_SCOPE.split(/\s+/).includes('openid')) {
    throw new ConfigError(`OIDC_SCOPE must include openid (an OpenID Connect sign-in), got "${values.OIDC_SCOPE}"`);
  }
  return { authority, clientId, scope: values.OIDC_SCOPE, name: values.OIDC_PROVIDER_NAME ?? new URL(authority).host };
}

/** One phrase per wrong variable (its first problem), in the table's order, on one line. */
function describeIssues(issues: readonly z.core.$ZodIssue[], env: Env): string {
  const phrases = new Map<string, string>();
  for (const issue of issues) {
    const name = String(issue.path[0]) as VariableName;
    if (phrases.has(name)) continue;
    // A list names its wrong entry; any other value is shown as given.
    const given = issue.code === 'custom' && typeof issue.input === 'string' ? issue.input : env[name]?.trim();
    phrases.set(name, VARIABLES[name].secret ? `${name} ${issue.message}` : `${name} ${issue.message}, got "${given}"`);
  }
  return [...phrases.values()].join('; ');
}
