/**
 * `npm run bench`: every benchmark, one after another, on one fresh database each. Figures are printed as measured;
 * compare within one run, since absolute rates drift on a shared machine.
 *
 *   npm run bench                 all of them
 *   npm run bench -- append live  only those named
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benches = ['append', 'commands', 'projector', 'live', 'web', 'scale', 'scale-subscribers', 'queries'] as const;
const wanted = process.argv.slice(2);
const selected = wanted.length > 0 ? benches.filter((b) => wanted.includes(b)) : benches;

for (const name of selected) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(file)) {
    console.log(`bench/${name}.ts: not present, skipped`);
    continue;
  }
  const { spawnSync } = await import('node:child_process');
  console.log(`\n=== bench/${name} ===`);
  // Each benchmark in its own process: no pools, timers or memory left over from the previous one.
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`bench/${name} exited with ${result.status ?? result.signal}`);
    process.exitCode = 1;
  }
}
