// Child process for the embedded Postgres tests: starts a server in the folder given as argument, prints its URL and
// waits to be killed. Run it with `node --import tsx` (not the tsx binary, which would put a second process in
// between), so that the pid the test kills is the server's owner. With `exit-on-sigterm`, SIGTERM ends it through
// process.exit without stop(), as an application that exits abruptly would; without, SIGTERM goes unhandled.
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-child.ts <dataDir>');
const server = await startEmbeddedPostgres({ dataDir, log: () => {} });
process.stdout.write(`URL ${server.url}\n`);
if (process.argv[3] === 'exit-on-sigterm') process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 60_000);
