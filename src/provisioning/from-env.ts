import type postgres from 'postgres';
import type { Config } from '../config/index.ts';
import type { EventStore } from '../event-store/index.ts';
import { provisioningConfig } from './config.ts';
import { startProvisioning, type ProvisioningProcess } from './process.ts';
import type { ProvisioningCommands } from './run-job.ts';
import { createSimulatedHypervisor } from './simulated-hypervisor.ts';

/**
 * What `npm start` runs: the provisioning process with the PROVISIONING_* settings of the configuration it is given
 * (src/config/, parsed once by the caller), with the simulated hypervisor, or null when PROVISIONING_ENABLED is false.
 * A vSphere adapter would be chosen here.
 */
export async function startProvisioningFromEnv(deps: {
  sql: postgres.Sql;
  store: EventStore;
  config: Pick<Config, 'provisioning'>;
  /** The process's one set of command handlers (see startProvisioning). */
  commands?: ProvisioningCommands;
  log?: (line: string) => void;
}): Promise<ProvisioningProcess | null> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const config = provisioningConfig(deps.config);
  if (!config.enabled) {
    log('[provisioning] disabled (PROVISIONING_ENABLED=false): approved requests wait until a process runs');
    return null;
  }
  const hypervisor = createSimulatedHypervisor({ stageMs: config.stageMs, stateFile: config.simulatorStateFile });
  return startProvisioning({ sql: deps.sql, store: deps.store, commands: deps.commands, hypervisor, options: config.options, log });
}
