// A provisioning process on the vSphere adapter in a child process, for the crash test. Run it with
// `node --import tsx` so that the pid the test SIGKILLs is the process holding the connections.
//
// Configuration (JSON in argv[2]): { url, settings, options }. Prints "STARTED" once running; on SIGTERM stops
// cleanly and prints "STOPPED".
import { createSql } from '../../../src/db/client.ts';
import { createEventStore } from '../../../src/event-store/index.ts';
import { type ProvisioningOptions, startProvisioning } from '../../../src/provisioning/index.ts';
import { createIpAllocator } from '../../../src/provisioning/ip-allocations.ts';
import { createVsphereHypervisor, type VsphereConnectionSettings } from '../../../src/provisioning/vsphere/index.ts';

interface ChildConfig {
  url: string;
  settings: VsphereConnectionSettings;
  options: Partial<ProvisioningOptions>;
}

const config = JSON.parse(process.argv[2] ?? '') as ChildConfig;
const log = (line: string) => process.stderr.write(`[child ${process.pid}] ${line}\n`);
const sql = createSql(config.url, { max: 6, applicationName: 'dvmm-vsphere-child' });
const store = createEventStore(sql);
const hypervisor = createVsphereHypervisor(config.settings, { production: true, ipAllocator: createIpAllocator(sql), log });
const provisioning = await startProvisioning({ sql, store, hypervisor, options: config.options, log });
process.stdout.write('STARTED\n');

process.once('SIGTERM', () => {
  void (async () => {
    await provisioning.stop();
    await hypervisor.close();
    await store.flush();
    await sql.end({ timeout: 5 });
    process.stdout.write('STOPPED\n');
    process.exit(0);
  })();
});
