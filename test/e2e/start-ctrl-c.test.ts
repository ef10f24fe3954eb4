import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseDataFolder } from '../../src/db/embedded.ts';
import { isRunning } from '../../src/db/postmaster.ts';
import { type DevProcess, spawnDev, waitUntilServing } from '../support/dev-process.ts';

// Ctrl-C in a terminal sends SIGINT to the whole foreground process group: npm, sh, tsx and node alike. The embedded
// Postgres must not be in that group, or it shuts down under the application's feet.
const base = mkdtempSync(join(tmpdir(), 'dvmm-ctrl-c-'));
chmodSync(base, 0o755); // as root, the server runs as the postgres user, which may then enter the folder
let run: DevProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (run && run.child.exitCode === null && run.child.signalCode === null) {
    try {
      process.kill(-run.child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  if (dataDir) await releaseDataFolder(dataDir, () => {});
  if (dataDir && !dataDir.startsWith(base)) rmSync(dataDir, { recursive: true, force: true });
  rmSync(base, { recursive: true, force: true });
});

/** Fields 5 and 6 of /proc/<pid>/stat: process group and session. */
function groupAndSession(pid: number): { group: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { group: Number(fields[2]), session: Number(fields[3]) };
}

// What `npm start` prints from Ctrl-C on, in the README's order.
const SHUTDOWN = [
  '[main] SIGINT: shutting down',
  '[main] stopped server',
  '[main] stopped live feed',
  '[provisioning] stopped',
  '[main] stopped provisioning',
  '[main] stopped projector',
  '[main] stopped event store',
  '[db] embedded Postgres stopped',
  '[main] stopped database',
  '[main] stopped',
];

describe.skipIf(process.platform !== 'linux')('npm start and Ctrl-C', () => {
  // Generous: a first start initialises a cluster, and the whole suite shares two cores.
  it('stops in order, prints [main] stopped, exits 0, and the embedded Postgres is gone', { timeout: 240_000 }, async () => {
    // detached: npm gets a process group of its own, as a shell gives a foreground job.
    run = spawnDev('npm', ['start'], {
      env: { PORT: '0', HOST: '127.0.0.1', DVMM_DATA_DIR: join(base, 'data') },
      detached: true,
    });
    ({ dataDir } = await waitUntilServing(run));
    const postgresPid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8'), 10);
    expect(isRunning(postgresPid)).toBe(true);
    expect(groupAndSession(postgresPid).group).not.toBe(run.child.pid);
    expect(groupAndSession(postgresPid).session).not.toBe(groupAndSession(run.child.pid!).session);

    process.kill(-run.child.pid!, 'SIGINT');
    const { code } = await run.exited;
    const output = run.lines.join('\n');

    const shutdownLines = run.lines.map((line) => line.trim()).filter((line) => SHUTDOWN.includes(line));
    expect(shutdownLines, output).toEqual(SHUTDOWN);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/database system is shutting down|ECONNREFUSED|no longer leading|connection lost|terminating connection|failed/i);
    expect(isRunning(postgresPid)).toBe(false);
  });
});
