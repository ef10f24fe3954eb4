import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { PRODUCTION_NODE_FLAGS } from '../../src/production-flags.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One `npm run start:prod`-like process of src/main.ts, started by a benchmark. */
export interface Instance {
  name: string;
  pid: number;
  /** http://127.0.0.1:port/graphql */
  url: string;
  wsUrl: string;
  /** Whether this process has said it leads the vm_requests projection. */
  leadsProjector(): boolean;
  /** Heap used after a full GC, and resident memory, in bytes (through the process's inspector, on 127.0.0.1). */
  memory(): Promise<{ heapUsed: number; rss: number }>;
  /** The process's inspector (on 127.0.0.1), for heap snapshots. */
  inspectorUrl: string;
  stop(): Promise<void>;
}

export interface InstanceSettings {
  databaseUrl: string;
  /** DATABASE_READ_URL: reads on a replica. */
  readUrl?: string;
  poolMax: number;
  secrets: BenchSecrets;
  /** A compiled main.js (support/build.ts) to run instead of src/main.ts through tsx. */
  main?: string;
}

export interface BenchSecrets {
  jwtSecret: string;
  secretsKeys: string;
  sealKey: string;
}

/** The secrets production refuses to start without, made up for one benchmark run. */
export function benchSecrets(): BenchSecrets {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    jwtSecret: randomBytes(32).toString('hex'),
    secretsKeys: `k1:${randomBytes(32).toString('base64')}`,
    sealKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

/**
 * Starts src/main.ts as production runs it (NODE_ENV=production, PRODUCTION_NODE_FLAGS, provisioning off since no
 * hypervisor stage should add work to the figures) on a free port of 127.0.0.1. The inspector listens on 127.0.0.1
 * too, on a port of its own, only so that the benchmark can force a full GC before reading the heap: heap figures
 * without one depend on when V8 last collected.
 */
export function startInstance(name: string, settings: InstanceSettings): Promise<Instance> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...PRODUCTION_NODE_FLAGS, '--inspect=127.0.0.1:0', ...(settings.main ? [settings.main] : ['--import', 'tsx', 'src/main.ts'])],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: settings.databaseUrl,
        ...(settings.readUrl ? { DATABASE_READ_URL: settings.readUrl } : {}),
        DATABASE_POOL_MAX: String(settings.poolMax),
        JWT_SECRET: settings.secrets.jwtSecret,
        DVMM_SECRETS_KEYS: settings.secrets.secretsKeys,
        DVMM_SEAL_KEY: settings.secrets.sealKey,
        PORT: '0',
        HOST: '127.0.0.1',
        PROVISIONING_ENABLED: 'false',
        // Approvals are accepted for a tenant without a vCenter connection; with provisioning off, nothing follows.
        PROVISIONING_SIMULATE_UNCONFIGURED: 'true',
        DVMM_DEMO_SEED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // The last lines only: enough to say why a process failed, without keeping a long run's log in memory.
  const output: string[] = [];
  let leads = false;
  let inspectorUrl = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let url = '';
    const onData = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        output.push(line);
        if (output.length > 40) output.shift();
        if (/\[projector\] leading vm_requests$/.test(line)) leads = true;
        inspectorUrl ||= /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1] ?? '';
        url ||= /\[main\] serving (http:\/\/\S+)/.exec(line)?.[1] ?? '';
        if (url && inspectorUrl) {
          resolve({
            name,
            pid: child.pid!,
            url,
            wsUrl: url.replace('http:', 'ws:'),
            leadsProjector: () => leads,
            memory: () => memoryOf(inspectorUrl),
            inspectorUrl,
            async stop() {
              if (child.exitCode !== null) return;
              child.kill('SIGTERM');
              await exited;
            },
          });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`instance ${name} exited with ${code}:\n${output.join('\n')}`)));
  });
}

/** Two full GCs (the second collects what the first's finalizers freed), then process.memoryUsage(). */
async function memoryOf(inspectorUrl: string): Promise<{ heapUsed: number; rss: number }> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let id = 0;
  const call = (method: string, params: object = {}): Promise<{ result?: { result?: { value?: unknown } } }> =>
    new Promise((resolve, reject) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; error?: { message: string }; result?: { result?: { value?: unknown } } };
        if (message.id !== mine) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const answer = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const usage = JSON.parse(String(answer.result?.result?.value)) as { heapUsed: number; rss: number };
    return { heapUsed: usage.heapUsed, rss: usage.rss };
  } finally {
    socket.close();
  }
}
