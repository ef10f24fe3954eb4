/**
 * A projector in its own process, for the crash and takeover tests: `node --import tsx projector-child.ts <url> <name>`.
 * Prints "started" once running; stops cleanly on SIGTERM (the tests mostly SIGKILL it).
 */
import { createSql } from '../../../src/db/client.ts';
import { PROJECTIONS, startProjector } from '../../../src/projections/index.ts';

const [url, name = 'child'] = process.argv.slice(2);
if (!url) throw new Error('usage: projector-child.ts <database url> [name]');

const sql = createSql(url, { max: 6, applicationName: `dvmm-test-${name}` });
const projector = await startProjector({
  sql,
  projections: PROJECTIONS,
  batchSize: Number(process.env.BATCH_SIZE ?? 50),
  applicationName: `dvmm-test-projector ${name}:${process.pid}`,
  log: (line) => process.stderr.write(`[${name}] ${line}\n`),
});
process.stdout.write('started\n');
process.on('SIGTERM', () => {
  void projector.stop().then(() => sql.end()).then(() => process.exit(0));
});
