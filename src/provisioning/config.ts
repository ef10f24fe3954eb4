import { ConfigError } from '../config-error.ts';

/** How the provisioning process paces itself. Defaults follow domain.md (5 attempts, 10/20/40/80 s, cap 120 s). */
export interface ProvisioningOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Wait before the 2nd attempt; doubled before each further one. */
  backoffMs: number;
  /** No wait is longer than this. */
  backoffMaxMs: number;
  /** How long to wait for the VM's IP before it becomes READY with a warning. */
  networkTimeoutMs: number;
  /** Requests this process drives at the same time. */
  concurrency: number;
  /** How often to look for due jobs (they are also looked for when a job ends). */
  pollIntervalMs: number;
  /** Passed to the projector that turns approvals into jobs. */
  projectorPollIntervalMs?: number;
}

export const DEFAULT_PROVISIONING_OPTIONS: ProvisioningOptions = {
  maxAttempts: 5,
  backoffMs: 10_000,
  backoffMaxMs: 120_000,
  networkTimeoutMs: 60_000,
  concurrency: 4,
  pollIntervalMs: 1_000,
};

/** Everything main.ts needs to start provisioning, read from the environment. */
export interface ProvisioningEnvConfig {
  enabled: boolean;
  /** Duration of each simulated stage. */
  stageMs: number;
  /** Optional JSON file in which the simulated hypervisor keeps its VMs across restarts. */
  simulatorStateFile: string | undefined;
  options: ProvisioningOptions;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * PROVISIONING_ENABLED (default true), PROVISIONING_STAGE_MS (2000), PROVISIONING_MAX_ATTEMPTS (5),
 * PROVISIONING_BACKOFF_MS (10000), PROVISIONING_BACKOFF_MAX_MS (120000), PROVISIONING_NETWORK_TIMEOUT_MS (60000),
 * PROVISIONING_CONCURRENCY (4), PROVISIONING_SIMULATOR_STATE_FILE (none: in memory).
 * A value that is not a number of the right range is a startup error, not a silent default.
 */
export function provisioningConfigFromEnv(env: Env = process.env): ProvisioningEnvConfig {
  const d = DEFAULT_PROVISIONING_OPTIONS;
  return {
    enabled: flag(env, 'PROVISIONING_ENABLED', true),
    stageMs: int(env, 'PROVISIONING_STAGE_MS', 2_000, 0),
    simulatorStateFile: env.PROVISIONING_SIMULATOR_STATE_FILE?.trim() || undefined,
    options: {
      ...d,
      maxAttempts: int(env, 'PROVISIONING_MAX_ATTEMPTS', d.maxAttempts, 1),
      backoffMs: int(env, 'PROVISIONING_BACKOFF_MS', d.backoffMs, 0),
      backoffMaxMs: int(env, 'PROVISIONING_BACKOFF_MAX_MS', d.backoffMaxMs, 0),
      networkTimeoutMs: int(env, 'PROVISIONING_NETWORK_TIMEOUT_MS', d.networkTimeoutMs, 0),
      concurrency: int(env, 'PROVISIONING_CONCURRENCY', d.concurrency, 1),
    },
  };
}

function int(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new ConfigError(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}
