import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseDataFolder } from '../../src/db/embedded.ts';
import { POSTGRES_HOME_ROOT } from '../../src/db/postgres-home.ts';
import { type DevProcess, repoRoot, runToEnd, spawnDev, waitUntilServing } from '../support/dev-process.ts';

// As root, in a checkout only root can traverse (/root is 0700, so is `mktemp -d`), the postgres user reaches
// neither the binaries under node_modules nor the data folder: both README commands must still work, with no chmod
// and no variable. Only root can be in that position, so the test runs only as root.
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('[test] start-private-folder: skipped, runs only as root (the case is root in a private folder)');

const secret = mkdtempSync(join(tmpdir(), 'dvmm-private-')); // 0700
const clone = join(secret, 'dvmm');
let server: DevProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (server?.child.exitCode === null) {
    server.child.kill('SIGINT');
    await server.exited;
  }
  if (dataDir) {
    await releaseDataFolder(dataDir, () => {});
    // The checkout's home: its data folder and its copy of the binaries.
    if (dataDir.startsWith(`${POSTGRES_HOME_ROOT}/`)) rmSync(dirname(dataDir), { recursive: true, force: true });
  }
  rmSync(secret, { recursive: true, force: true });
});

/** The working tree as a clone has it (tracked and new files, nothing ignored), node_modules as hard links. */
function cloneWorkingTree(): void {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).stdout.split('\0');
  for (const file of files) {
    if (file && existsSync(join(repoRoot, file))) cpSync(join(repoRoot, file), join(clone, file));
  }
  const link = spawnSync('cp', ['-al', join(repoRoot, 'node_modules'), join(clone, 'node_modules')]);
  expect(link.status, String(link.stderr)).toBe(0);
  // Caches written in place would write through the hard links into the original checkout.
  rmSync(join(clone, 'node_modules', '.vite'), { recursive: true, force: true });
}

async function graphql(url: string, token: string, query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

const PROJECTS = '{ projects(first: 10) { edges { node { name } } } }';

describe.skipIf(!isRoot)('as root, from a checkout in a folder only root can traverse', () => {
  it('npm start serves: the binaries and the data go to a folder the postgres user owns, and the start line says so', { timeout: 300_000 }, async () => {
    expect(statSync(secret).mode & 0o777).toBe(0o700);
    cloneWorkingTree();

    server = spawnDev(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: clone,
      env: { PORT: '0', HOST: '127.0.0.1' },
    });
    const serving = await waitUntilServing(server);
    dataDir = serving.dataDir;
    const output = server.lines.join('\n');
    expect(dataDir.startsWith(`${POSTGRES_HOME_ROOT}/dvmm-`), output).toBe(true);
    expect(output).toContain(`(the postgres user cannot reach ${join(clone, '.data')})`);
    expect(output).toMatch(/copied the Postgres binaries to \/var\/lib\/dvmm\/dvmm-\w+\/postgres-/);

    expect((await fetch(new URL('/health', serving.url))).status).toBe(200);
    const [alice] = serving.tokens;
    const answer = await graphql(serving.url, alice!, PROJECTS);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.data.projects.edges).toHaveLength(2); // the demo tenant's two projects

    // `npm run token` signs with the same development secret (kept next to the checkout's .data).
    const minted = await runToEnd(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'token', '--sub', 'alice', '--tenant', 'acme'], {
      cwd: clone,
      env: {},
    });
    expect(minted.code, minted.output).toBe(0);
    const token = /(eyJ[\w-]+\.[\w-]+\.[\w-]+)/.exec(minted.output)?.[1];
    expect((await graphql(serving.url, token!, PROJECTS)).body.data.projects.edges).toHaveLength(2);

    // The CLI finds the moved data folder and the server running on it.
    const status = await runToEnd(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'projections', 'status'], { cwd: clone, env: {} });
    expect(status.code, status.output).toBe(0);
    expect(status.output).toContain(`using the embedded Postgres already running in ${dataDir}`);

    server.child.kill('SIGINT');
    const { code } = await server.exited;
    expect(code, server.lines.join('\n')).toBe(0);
    expect(server.lines).toContain('[main] stopped');
  });

  it("npm test's global setup starts its embedded Postgres there too, even with a temp folder out of reach", { timeout: 300_000 }, async () => {
    expect(existsSync(join(clone, 'package.json'))).toBe(true);
    const privateTmp = join(secret, 'tmp');
    mkdirSync(privateTmp, { mode: 0o700 });
    const run = await runToEnd(join(clone, 'node_modules', '.bin', 'vitest'), ['run', 'test/integration/harness.test.ts'], {
      cwd: clone,
      env: { TMPDIR: privateTmp, NO_COLOR: '1' },
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/Tests\s+4 passed/);
    expect(run.output).toMatch(/\[test\] embedded Postgres in \/var\/lib\/dvmm\/\S+ \(the postgres user cannot reach /);
    expect(run.output).not.toMatch(/Unhandled|EACCES/);
    // The run's own data folder, moved next to the binaries, is gone again.
    const home = dirname(dataDir!);
    expect(readdirSync(home).filter((entry) => entry.startsWith('data-'))).toEqual([]);
  });
});
