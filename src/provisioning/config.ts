import { type Config, PROVISIONING_DEFAULTS } from '../config/index.ts';

/** How the provisioning process paces itself. */
export interface ProvisioningOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Wait before the 2nd attempt; doubled before each further one. */
  backoffMs: number;
  /** No wait is longer than this. */
  backoffMaxMs: number;
  /**
   * A FAILED request's VM that could not be deleted yet (job CLEANUP) is tried again from backoffMs on, doubling up to
   * this: the hypervisor may refuse for hours (credentials), and a VM must never be forgotten.
   */
  cleanupBackoffMaxMs: number;
  /** How long to wait for the VM's IP before it becomes READY with a warning. */
  networkTimeoutMs: number;
  /** Requests this process drives at the same time. */
  concurrency: number;
  /** How often reconciliation compares READY requests' VMs with the hypervisor (see reconcile.ts); 0: never. */
  reconcileIntervalMs: number;
  /** How often to look for due jobs (they are also looked for when a job ends). */
  pollIntervalMs: number;
  /** Passed to the projector that turns approvals into jobs. */
  projectorPollIntervalMs?: number;
}

/** The PROVISIONING_* defaults of the configuration (src/config/variables.ts), and the poll interval. */
export const DEFAULT_PROVISIONING_OPTIONS: ProvisioningOptions = {
  ...PROVISIONING_DEFAULTS,
  cleanupBackoffMaxMs: 600_000,
  pollIntervalMs: 1_000,
};

/** Everything main.ts needs to start provisioning. */
export interface ProvisioningEnvConfig {
  enabled: boolean;
  /** Duration of each simulated stage. */
  stageMs: number;
  /** Optional JSON file in which the simulated hypervisor keeps its VMs across restarts. */
  simulatorStateFile: string | undefined;
  options: ProvisioningOptions;
}

/** The PROVISIONING_* variables of the configuration, as the provisioning process takes them. */
export function provisioningConfig(config: Pick<Config, 'provisioning'>): ProvisioningEnvConfig {
  const { enabled, stageMs, simulatorStateFile, options } = config.provisioning;
  return { enabled, stageMs, simulatorStateFile, options: { ...DEFAULT_PROVISIONING_OPTIONS, ...options } };
}
