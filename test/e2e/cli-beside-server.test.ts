import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../src/db/client.ts';
import { releaseDataFolder } from '../../src/db/embedded.ts';
import { type DevProcess, runToEnd, spawnDev, waitUntilServing } from '../support/dev-process.ts';

// `npm start` runs the embedded Postgres on a data folder; the CLI, started beside it on the same folder, uses that
// server instead of refusing the folder as taken.
const base = mkdtempSync(join(tmpdir(), 'dvmm-cli-beside-'));
chmodSync(base, 0o755); // as root, the server runs as the postgres user, which may then enter the folder
const env = { DVMM_DATA_DIR: join(base, 'data') };
let server: DevProcess;
let dataDir: string;
let url: string;

beforeAll(async () => {
  server = spawnDev(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...env, PORT: '0', HOST: '127.0.0.1' } });
  ({ dataDir, url } = await waitUntilServing(server));
}, 240_000);

afterAll(async () => {
  if (server?.child.exitCode === null) {
    server.child.kill('SIGINT');
    await server.exited;
  }
  if (dataDir) await releaseDataFolder(dataDir, () => {});
  if (dataDir && !dataDir.startsWith(base)) rmSync(dataDir, { recursive: true, force: true });
  rmSync(base, { recursive: true, force: true });
});

const cli = (...args: string[]) => runToEnd(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env });

describe('the CLI beside a running npm start', () => {
  it('npm start prints a database URL with its password, which psql accepts', async () => {
    const line = server.lines.find((l) => /^\[db\] .*\(psql postgres:\/\//.test(l));
    const dbUrl = /\(psql (postgres:\/\/\S+)\)/.exec(line ?? '')?.[1];
    expect(dbUrl, server.lines.join('\n')).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/dvmm$/);
    const psql = spawnSync('psql', [dbUrl!, '-tAc', 'select count(*) from events'], { encoding: 'utf8' });
    if (psql.error) {
      // No psql on this machine: the same URL through postgres.js.
      const sql = createSql(dbUrl!, { max: 1 });
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from events`;
      await sql.end();
      expect(row!.n).toBeGreaterThan(0);
    } else {
      expect(psql.status, psql.stderr).toBe(0);
      expect(Number(psql.stdout.trim())).toBeGreaterThan(0); // the demo tenant's events
    }
  });

  // Generous: three CLI processes, each starting Node with tsx, on two cores the whole suite shares.
  it('projections status, verify and migrate run against the server npm start runs', { timeout: 240_000 }, async () => {
    const status = await cli('projections', 'status');
    expect(status.code, status.output).toBe(0);
    expect(status.output).toContain(`using the embedded Postgres already running in ${dataDir}`);
    expect(status.output).toContain('vm_requests');

    const verify = await cli('verify');
    expect(verify.code, verify.output).toBe(0);
    expect(verify.output).toMatch(/intact/);

    const migrate = await cli('migrate');
    expect(migrate.code, migrate.output).toBe(0);
    expect(migrate.output).toMatch(/schema up to date/);
  });

  it('leaves the server running: it still answers, and stops cleanly', async () => {
    expect((await fetch(new URL('/health', url))).status).toBe(200);
    server.child.kill('SIGINT');
    const { code } = await server.exited;
    expect(code, server.lines.join('\n')).toBe(0);
    expect(server.lines).toContain('[main] stopped');
  });
});
