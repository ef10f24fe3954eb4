import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PRODUCTION_NODE_FLAGS } from '../../src/production-flags.ts';

/**
 * Whether the bench file at `moduleUrl` should run here: it is the process's main module, and the process runs as
 * the Dockerfile runs the server (NODE_ENV=production, PRODUCTION_NODE_FLAGS). Both must be in place before any
 * module loads, so a main module without them is started again in a child process that has them (this one then
 * takes the child's exit code and answers false).
 */
export function runsAsProductionMain(moduleUrl: string): boolean {
  if (moduleUrl !== pathToFileURL(process.argv[1]!).href) return false;
  const asProduction = process.env.NODE_ENV === 'production' && PRODUCTION_NODE_FLAGS.every((flag) => process.execArgv.includes(flag));
  if (asProduction) return true;
  const result = spawnSync(process.execPath, [...PRODUCTION_NODE_FLAGS, '--import', 'tsx', fileURLToPath(moduleUrl), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  process.exitCode = result.status ?? 1;
  return false;
}
