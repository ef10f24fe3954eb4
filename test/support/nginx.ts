import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { findFreePort } from '../../src/db/free-port.ts';
import { repositoryRoot } from './run-process.ts';

/**
 * The load balancer of docker-compose.scale.yml (deploy/nginx/nginx.conf and the proxy rules it includes), run by
 * the machine's nginx (Debian's `nginx` package) in front of local instances. Without nginx the tests skip with a
 * hint; under CI=true they fail instead, since CI must run them (.ci/run installs nginx first).
 */
const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];

export const NGINX_INSTALL_HINT = 'Install nginx to run them: `sudo apt-get install -y nginx` (Debian/Ubuntu), or point NGINX_PATH at one.';

export function findNginx(env: NodeJS.ProcessEnv = process.env): string | null {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (env.NGINX_PATH) return executable(env.NGINX_PATH) ? env.NGINX_PATH : null;
  return CANDIDATES.find(executable) ?? null;
}

/** The nginx for this test file, or null after printing why its tests skip; throws under CI=true. */
export function nginxForTests(env: NodeJS.ProcessEnv = process.env): string | null {
  const found = findNginx(env);
  if (found) return found;
  const message = `No nginx found (looked at ${env.NGINX_PATH ? `NGINX_PATH=${env.NGINX_PATH}` : CANDIDATES.join(', ')}).`;
  if (env.CI === 'true') throw new Error(`${message} Under CI=true the load balancer tests must run (.ci/run installs nginx). ${NGINX_INSTALL_HINT}`);
  console.warn(`Load balancer tests skipped. ${message} ${NGINX_INSTALL_HINT}`);
  return null;
}

const COMPOSE_CONFIG = join(repositoryRoot, 'deploy/nginx/nginx.conf');
const PROXY_RULES = join(repositoryRoot, 'deploy/nginx/dvmm-proxy.conf');

function replaceOnce(text: string, pattern: RegExp, replacement: (match: RegExpExecArray) => string): string {
  const match = pattern.exec(text);
  if (!match) throw new Error(`deploy/nginx/nginx.conf no longer has ${pattern}: update test/support/nginx.ts with it`);
  return text.slice(0, match.index) + replacement(match) + text.slice(match.index + match[0].length);
}

/**
 * deploy/nginx/nginx.conf as compose runs it, with what only Docker has replaced: the upstream's `server app:4000
 * resolve ...` (Docker's DNS) becomes one `server` line per address with the same parameters, the listen port a free
 * one on 127.0.0.1, and logs, pid and temporary files go to `dir`. The proxy rules are included from the checkout.
 */
export function renderComposeConfig(upstreams: readonly string[], port: number, dir: string): string {
  let text = readFileSync(COMPOSE_CONFIG, 'utf8');
  text = replaceOnce(text, /^\s*resolver [^;]*;\n/m, () => '\n');
  text = replaceOnce(text, /server app:\d+ resolve ([^;]*);/, (match) => upstreams.map((address) => `server ${address} ${match[1]};`).join('\n        '));
  text = replaceOnce(text, /listen 80;/, () => `listen 127.0.0.1:${port};`);
  text = replaceOnce(text, /include \/etc\/nginx\/dvmm-proxy\.conf;/, () => `include ${PROXY_RULES};`);
  text = text.replaceAll('/var/log/nginx/', `${dir}/`);
  // Temporary files of the proxy and the request bodies (the package's defaults are under /var/lib/nginx).
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${dir}/${kind}_temp;`).join('\n');
  text = replaceOnce(text, /^http \{\n/m, (match) => `${match[0]}${temp}\n`);
  // As root, nginx would run its workers as nobody, who cannot write into this private folder.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}pid ${dir}/nginx.pid;\n${text}`;
}

export interface Nginx {
  /** http://127.0.0.1:<port> */
  origin: string;
  process: ChildProcess;
  /** The access log: one line per request with the upstream address that answered it. */
  accessLog(): string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** nginx in the foreground on a free port, in front of `upstreams` (host:port), with the compose configuration. */
export async function startNginx(binary: string, upstreams: readonly string[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'dvmm-nginx-'));
  const port = await findFreePort();
  const config = join(dir, 'nginx.conf');
  writeFileSync(config, renderComposeConfig(upstreams, port, dir));
  const test = spawn(binary, ['-t', '-q', '-p', dir, '-e', join(dir, 'error.log'), '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let testOutput = '';
  test.stdout!.on('data', (chunk: Buffer) => (testOutput += String(chunk)));
  test.stderr!.on('data', (chunk: Buffer) => (testOutput += String(chunk)));
  const testCode = await new Promise<number | null>((resolve) => test.once('close', resolve));
  if (testCode !== 0) throw new Error(`nginx -t refused the configuration:\n${testOutput}\n${readFileSync(config, 'utf8')}`);

  const child = spawn(binary, ['-p', dir, '-e', join(dir, 'error.log'), '-c', config, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  // Listening once a connection is accepted.
  await vi.waitFor(
    () =>
      new Promise<void>((resolve, reject) => {
        if (child.exitCode !== null) return reject(new Error(`nginx exited with ${child.exitCode}: ${output}${read('error.log')}`));
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      }),
    { timeout: 15_000, interval: 50 },
  );
  return {
    origin: `http://127.0.0.1:${port}`,
    process: child,
    accessLog: () => read('access.log'),
    errorLog: () => read('error.log'),
    async stop() {
      // SIGTERM: a fast shutdown; open WebSockets and streams are cut.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
