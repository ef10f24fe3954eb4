import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { expect, vi } from 'vitest';

// `npm start` or the CLI as a user runs them (no DATABASE_URL: the embedded Postgres), as real child processes.

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface DevProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr), line by line. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first line matching `pattern`; rejects when the process exits first or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
}

/**
 * The environment of a user's shell: without DATABASE_URL and the test run's own variables (a vitest inside would
 * take them for its own), plus `env`.
 */
export function userEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(VITEST|TEST_DATABASE_URL$|DATABASE_URL$|JWT_|NODE_ENV$|NODE_OPTIONS$|DVMM_|PORT$|HOST$)/.test(name)) continue;
    clean[name] = value;
  }
  return { ...clean, ...env };
}

export function spawnDev(
  command: string,
  args: string[],
  options: { cwd?: string; env: Record<string, string>; detached?: boolean },
): DevProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: userEnv(options.env),
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const watchers = new Set<() => void>();
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    // Without colour codes: tools colour their output when CI is set (picocolors), and patterns match plain text.
    lines.push(...parts.map((line) => stripVTControlCharacters(line)));
    for (const watcher of watchers) watcher();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      if (partial) lines.push(stripVTControlCharacters(partial));
      resolve({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp, ms = 200_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        for (const line of lines) {
          const match = pattern.exec(line);
          if (match) {
            done();
            resolve(match);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${pattern} within ${ms} ms:\n${lines.join('\n')}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        watchers.delete(check);
      };
      watchers.add(check);
      void exited.then(({ code, signal }) => {
        check();
        if (!watchers.has(check)) return;
        done();
        reject(new Error(`exited (${signal ?? code}) before a line matching ${pattern}:\n${lines.join('\n')}`));
      });
      check();
    });
  return { child, lines, exited, waitFor };
}

/** Runs a command to its end and returns its exit code and output. */
export async function runToEnd(
  command: string,
  args: string[],
  options: { cwd?: string; env: Record<string, string> },
): Promise<{ code: number | null; output: string }> {
  const run = spawnDev(command, args, options);
  const { code } = await run.exited;
  return { code, output: run.lines.join('\n') };
}

/** The start line's data folder and the dev tokens of the banner, once `npm start` serves. */
export async function waitUntilServing(run: DevProcess): Promise<{ url: string; dataDir: string; tokens: string[] }> {
  const [, url] = await run.waitFor(/^GraphiQL: (http:\/\/\S+)/);
  const [, dataDir] = await run.waitFor(/^\[db\] embedded Postgres in (\S+)/, 1);
  // The banner's header lines (alice, then bob) follow the GraphiQL line.
  const tokens = await vi.waitFor(
    () => {
      const shown = run.lines.flatMap((line) => /"Bearer ([^"]+)"/.exec(line)?.[1] ?? []);
      expect(shown.length, 'demo tokens in the banner').toBeGreaterThanOrEqual(2);
      return shown;
    },
    { timeout: 10_000, interval: 50 },
  );
  return { url: url!, dataDir: dataDir!, tokens };
}
