import { describe, expect, it, vi } from 'vitest';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { PROJECTIONS_USAGE } from '../../src/projections/cli.ts';
import { demoAdmin, demoUser } from '../../src/demo/users.ts';
import { dbTest } from '../support/db-test.ts';
import { runToEnd } from '../support/run-process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// `npm run cli` as a user runs it: a real process of src/cli.ts, on a real database (DATABASE_URL).
const cli = (args: string[], env: Record<string, string> = {}) => runToEnd('src/cli.ts', args, env);

/** dbTest with the demo data, seeded once for the file. */
const seededTest = dbTest.extend('seeded', { scope: 'file' }, ({ store }) => seedDemo(store));

// Each test starts real processes (tsx compiles the sources as they load): slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });

describe('cli help', () => {
  it.each([['--help'], ['-h'], ['help']])('`cli %s` prints the usage to stdout and exits 0', async (flag) => {
    const { code, stdout, stderr } = await cli([flag]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^usage: npm run cli -- <command>/);
    for (const command of ['migrate', 'projections', 'verify', 'seed', 'token']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(code).toBe(0);
  });

  it("a command's --help prints its usage to stdout, exits 0 and opens no database", async () => {
    // An unreachable DATABASE_URL: any attempt to connect would fail the command.
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const projections = await cli(['projections', '--help'], env);
    expect(projections).toMatchObject({ code: 0, stderr: '' });
    expect(projections.stdout).toContain('projections rebuild <name>');
    expect(projections.stdout).toContain('provisioning_jobs');
    const migrate = await cli(['migrate', '-h'], env);
    expect(migrate).toMatchObject({ code: 0, stderr: '', stdout: 'usage: npm run cli -- migrate\n  apply pending migrations\n' });
    const token = await cli(['token', '-h']);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^usage: npm run token -- --sub/);
  });

  it('a projections usage mistake prints the usage to stderr and exits 1 without opening the database', async () => {
    // An unreachable DATABASE_URL: a connection attempt would print its errors (or retries) instead of the usage alone.
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const mistakes: [string[], string][] = [
      [['projections'], PROJECTIONS_USAGE],
      [['projections', 'nonsense'], PROJECTIONS_USAGE],
      [['projections', 'rebuild'], PROJECTIONS_USAGE],
      [['projections', 'rebuild', 'nope'], `unknown projection nope\n${PROJECTIONS_USAGE}`],
    ];
    for (const [args, message] of mistakes) {
      expect(await cli(args, env), args.join(' ')).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
    }
  });

  it('an unknown command prints the usage to stderr and exits 1', async () => {
    const { code, stdout, stderr } = await cli(['nonsense']);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^unknown command nonsense\nusage: npm run cli -- <command>/);
    expect(code).toBe(1);
  });
});

describe('cli configuration errors', () => {
  it('print the message alone and exit 1', async () => {
    const { code, stdout, stderr } = await cli(['token', '--sub', 'alice', '--tenant', 'acme'], { JWT_SECRET: 'short' });
    expect(stderr).toBe('JWT_SECRET must be at least 32 bytes long\n');
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });
});

describe('cli projections', () => {
  /** How long a provisioning process may take to start a job, or to finish two. */
  const POLL = { timeout: 20_000, interval: 50 };
  const status = (url: string) => cli(['projections', 'status'], { DATABASE_URL: url });
  const block = (stdout: string, title: string) => {
    const lines = stdout.split('\n');
    const start = lines.indexOf(title);
    expect(start, `no "${title}" block in:\n${stdout}`).toBeGreaterThanOrEqual(0);
    const end = lines.findIndex((line, i) => i > start && !line.startsWith('  '));
    return lines.slice(start, end === -1 ? undefined : end).join('\n');
  };

  seededTest('status lists provisioning_jobs and the provisioning jobs: running, waiting without a worker, done, failed', async ({ database, store, seeded }) => {
    const requestId = seeded.vmRequestId;
    const projectId = seeded.projectIds[0]!;
    let server: TestServer | null = await startTestServer({
      database,
      // Stages this long keep the job running while the CLI looks.
      provisioning: { stageMs: 600_000 },
    });
    try {
      const approved = await createCommandHandlers(store).approveVmRequest(demoAdmin, { id: requestId, expectedVersion: 1 });
      expect(approved.ok).toBe(true);
      await expect.poll(async () => (await server!.provisioning!.process.status()).worker.running.length, POLL).toBe(1);

      const running = await status(database.url);
      expect(running.code, running.stderr).toBe(0);
      expect(block(running.stdout, 'provisioning_jobs')).toMatch(/leader {6}pid \d+ \(dvmm-provisioning-projector /);
      const jobs = block(running.stdout, 'provisioning jobs');
      expect(jobs).toContain('states      PENDING 1 (1 due now), RETRYING 0, FAILING 0, DONE 0 (READY 0, FAILED 0, SKIPPED 0)');
      expect(jobs).toMatch(new RegExp(`running {5}${requestId} \\(PENDING, attempt 1\\) by pid \\d+ \\(dvmm-provisioning `));
      expect(jobs).toMatch(new RegExp(`oldest {6}${requestId} \\(PENDING, attempt 1\\), queued .* ago, running`));
      expect(jobs).toMatch(/workers {5}pid \d+ \(dvmm-provisioning /);

      // The process stops mid-job: the job waits, due, with nobody to run it.
      await server.close();
      server = null;
      const waiting = await status(database.url);
      expect(waiting.code, waiting.stderr).toBe(0);
      expect(block(waiting.stdout, 'provisioning_jobs')).toContain('leader      none running');
      const waitingJobs = block(waiting.stdout, 'provisioning jobs');
      expect(waitingJobs).toContain('states      PENDING 1 (1 due now)');
      expect(waitingJobs).toContain('running     none');
      expect(waitingJobs).toMatch(new RegExp(`oldest {6}${requestId} \\(PENDING, attempt 1\\), queued .* ago, due for .*, not running`));
      expect(waitingJobs).toContain('workers     none connected: 1 unfinished job(s) wait for a server with provisioning enabled');

      // A second approval, whose template the hypervisor cannot find.
      const commands = createCommandHandlers(store);
      const created = await commands.createVmRequest(demoUser, {
        projectId,
        vmName: 'shop-staging-02',
        size: 'S',
        justification: 'A second staging server for the status test',
      });
      if (!created.ok) throw new Error(JSON.stringify(created.error));
      const second = created.value;
      expect((await commands.approveVmRequest(demoAdmin, { id: second.id, expectedVersion: 1 })).ok).toBe(true);

      // Another process takes the first job over and finishes it; the second fails.
      server = await startTestServer({
        database,
        provisioning: {
          stageMs: 5,
          failures: [{ operation: 'clone', code: 'TEMPLATE_NOT_FOUND', requestId: second.id, message: 'template rhel-9 is gone' }],
        },
      });
      await expect
        .poll(async () => {
          const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from provisioning_jobs where status = 'DONE'`;
          return row?.n;
        }, POLL)
        .toBe(2);
      const done = await status(database.url);
      expect(done.code, done.stderr).toBe(0);
      const doneJobs = block(done.stdout, 'provisioning jobs');
      expect(doneJobs).toContain('states      PENDING 0 (0 due now), RETRYING 0, FAILING 0, DONE 2 (READY 1, FAILED 1, SKIPPED 0)');
      expect(doneJobs).not.toContain('oldest');
      expect(doneJobs).toMatch(new RegExp(`errors {6}${second.id} \\(FAILED, attempt 1\\) .* ago: TEMPLATE_NOT_FOUND template rhel-9 is gone`));
      expect(block(done.stdout, 'provisioning_jobs')).toMatch(/state {7}caught up/);
    } finally {
      await server?.close();
    }
  });

  seededTest('rebuild: the last progress line and the summary give the same events and events/s', async ({ url }) => {
    const { code, stdout, stderr } = await cli(['projections', 'rebuild', 'vm_requests'], { DATABASE_URL: url });
    expect(code, stderr).toBe(0);
    const summary = /^rebuilt vm_requests: (\d+) events in [\d.]+ s \(([\d,]+) events\/s\), checkpoint tx \d+ position \d+$/m.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    const bars = stderr.split('\n').filter((line) => line.startsWith('rebuild vm_requests ['));
    const bar = /\] 100\.0% ([\d,]+)\/[\d,]+ events, ([\d,]+) events\/s$/.exec(bars.at(-1) ?? '');
    expect(bar, stderr).not.toBeNull();
    expect(bar![1]!.replaceAll(',', '')).toBe(summary![1]);
    expect(bar![2]).toBe(summary![2]);
    expect(Number(summary![1])).toBeGreaterThan(5);
  });
});
