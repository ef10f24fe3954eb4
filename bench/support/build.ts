import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The service compiled as `npm run build` compiles it (tsc, tsconfig.build.json), into a temporary folder beside
 * links to what it reads from the repository at run time (migrations, node_modules, the portal), so a benchmark runs
 * what production runs without touching the working tree's dist/ (emitted without type checks: that is typecheck's job). It matters for memory: tsx (`npm start`) compiles
 * with esbuild's keepNames, which gives every function created at run time a `name` property of its own, a few
 * hundred bytes per closure that production's build does not have. Returns the path of main.js.
 */
export function buildService(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dvmm-build-'));
  for (const entry of ['package.json', 'node_modules', 'drizzle', 'web', 'README.md', 'schema.graphql']) {
    symlinkSync(join(root, entry), join(dir, entry));
  }
  mkdirSync(join(dir, 'dist'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--sourceMap', 'false', '--noCheck'], {
    stdio: 'inherit',
  });
  return join(dir, 'dist', 'main.js');
}

/** Removes what buildService made (the links only, not what they point to). */
export function removeBuild(main: string): void {
  rmSync(dirname(dirname(main)), { recursive: true, force: true });
}
