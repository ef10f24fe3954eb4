import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VCSIM_BINARY, VCSIM_SOURCE_DIR } from './vcsim.ts';

const GOVMOMI_SOURCES = '/usr/share/gocode/src/github.com/vmware/govmomi/simulator';

/**
 * For the test run's global setup: builds the simulator once when it is missing or older than its source and Go with
 * govmomi's sources is installed (never installs packages). A failed build is reported, not thrown: the vSphere
 * tests then skip (or fail under CI=true) and say why, while the rest of the suite runs.
 */
export function ensureVcsimBuilt(log: (line: string) => void = console.log): void {
  const goPresent = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0 && existsSync(GOVMOMI_SOURCES);
  if (!goPresent || !vcsimStale()) return;
  log('[test] building the vCenter simulator (test/support/vcsim/build.sh)');
  const result = spawnSync('bash', [join(VCSIM_SOURCE_DIR, 'build.sh')], { encoding: 'utf8' });
  if (result.status !== 0) log(`[test] the vCenter simulator did not build:\n${result.stdout}${result.stderr}`);
}

function vcsimStale(): boolean {
  if (!existsSync(VCSIM_BINARY)) return true;
  const built = statSync(VCSIM_BINARY).mtimeMs;
  return ['main.go', 'build.sh'].some((name) => statSync(join(VCSIM_SOURCE_DIR, name)).mtimeMs > built);
}
