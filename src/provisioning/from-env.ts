import type postgres from 'postgres';
import type { Config } from '../config/index.ts';
import type { EventStore } from '../event-store/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { provisioningConfig } from './config.ts';
import { createIpAllocator } from './ip-allocations.ts';
import { startProvisioning, type ProvisioningProcess } from './process.ts';
import type { ProvisioningCommands } from './run-job.ts';
import { createSimulatedHypervisor } from './simulated-hypervisor.ts';
import { createTenantHypervisors } from './tenant-hypervisors.ts';
import { loadVsphereAdapter } from './vsphere-loader.ts';
import type { CreateVsphereHypervisor } from './vsphere/settings.ts';

/**
 * What `npm start` runs: the provisioning process with the PROVISIONING_* settings of the configuration it is given
 * (src/config/, parsed once by the caller), or null when PROVISIONING_ENABLED is false. Each request goes to its
 * tenant's vCenter (tenant-hypervisors.ts); a tenant without a connection to the simulated hypervisor when
 * PROVISIONING_SIMULATE_UNCONFIGURED allows it. Without `secrets` (no stored password can be read) every tenant is
 * simulated, as before tenants had connections.
 */
export async function startProvisioningFromEnv(deps: {
  sql: postgres.Sql;
  store: EventStore;
  config: Pick<Config, 'provisioning'> & Partial<Pick<Config, 'production'>>;
  /** The process's one set of command handlers (see startProvisioning). */
  commands?: ProvisioningCommands;
  /** Opens the tenants' stored vCenter passwords. */
  secrets?: SecretBox;
  /** Default: the adapter of src/provisioning/vsphere/, loaded when first needed. */
  loadVsphere?: () => Promise<CreateVsphereHypervisor>;
  log?: (line: string) => void;
}): Promise<ProvisioningProcess | null> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const config = provisioningConfig(deps.config);
  if (!config.enabled) {
    log('[provisioning] disabled (PROVISIONING_ENABLED=false): approved requests wait until a process runs');
    return null;
  }
  const simulated = createSimulatedHypervisor({ stageMs: config.stageMs, stateFile: config.simulatorStateFile });
  if (!deps.secrets) {
    return startProvisioning({ sql: deps.sql, store: deps.store, commands: deps.commands, hypervisor: simulated, options: config.options, log });
  }
  const simulate = deps.config.provisioning.simulateUnconfigured;
  log(
    simulate
      ? '[provisioning] tenants with a vCenter connection provision there; the others on the simulated hypervisor'
      : '[provisioning] tenants with a vCenter connection provision there; the others cannot (PROVISIONING_SIMULATE_UNCONFIGURED=false)',
  );
  const hypervisor = createTenantHypervisors({
    sql: deps.sql,
    secrets: deps.secrets,
    loadVsphere: deps.loadVsphere ?? loadVsphereAdapter,
    simulated: simulate ? simulated : null,
    ipAllocator: createIpAllocator(deps.sql),
    vsphere: { production: deps.config.production ?? false, log },
    log,
  });
  const process = await startProvisioning({ sql: deps.sql, store: deps.store, commands: deps.commands, hypervisor, options: config.options, log });
  return {
    check: (timeoutMs) => process.check(timeoutMs),
    status: () => process.status(),
    wake: () => process.wake(),
    async stop() {
      await process.stop();
      await hypervisor.close();
    },
  };
}
