// A provisioning process in a child process, for the crash and multi-process tests. Run it with
// `node --import tsx` (not the tsx binary, which would put a second process in between), so that the pid a test
// SIGKILLs is the process holding the database connections.
//
// Configuration (JSON in argv[2]): { url, stateFile, stageMs, options, failures? }. Prints "STARTED" once running; on SIGTERM
// stops cleanly and prints "STOPPED <worker status JSON>".
import { createSql } from '../../../../src/db/client.ts';
import { createEventStore } from '../../../../src/event-store/index.ts';
import {
  createSimulatedHypervisor,
  type FailureRule,
  type ProvisioningOptions,
  startProvisioning,
} from '../../../../src/provisioning/index.ts';

interface ChildConfig {
  url: string;
  stateFile: string;
  stageMs: number;
  options: Partial<ProvisioningOptions>;
  failures?: FailureRule[];
}

const config = JSON.parse(process.argv[2] ?? '') as ChildConfig;
const sql = createSql(config.url, { max: 6, applicationName: 'dvmm-provisioning-child' });
const store = createEventStore(sql);
const hypervisor = createSimulatedHypervisor({
  stageMs: config.stageMs,
  stateFile: config.stateFile,
  failures: config.failures ?? [],
});
const provisioning = await startProvisioning({
  sql,
  store,
  hypervisor,
  options: config.options,
  log: (line) => process.stderr.write(`[child ${process.pid}] ${line}\n`),
});
process.stdout.write('STARTED\n');

process.once('SIGTERM', () => {
  void (async () => {
    await provisioning.stop();
    const status = provisioning.status();
    await store.flush();
    await sql.end({ timeout: 5 });
    process.stdout.write(`STOPPED ${JSON.stringify(status.worker)}\n`);
    process.exit(0);
  })();
});
