import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * govmomi's vCenter simulator for the vSphere tests: test/support/vcsim/main.go, built by test/support/vcsim/build.sh
 * from Debian's golang-go and golang-github-vmware-govmomi-dev into .cache/vcsim/vcsim. Without the binary the tests
 * skip with a note saying how to get it; under CI=true they fail instead (.ci/run builds it first).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
export const VCSIM_SOURCE_DIR = join(root, 'test/support/vcsim');
export const VCSIM_BINARY = join(root, '.cache/vcsim/vcsim');

export const VCSIM_INSTALL_HINT =
  'Build it with `npm run vcsim` or `bash test/support/vcsim/build.sh` (it needs Debian\'s golang-go and ' +
  'golang-github-vmware-govmomi-dev: `sudo apt-get install -y golang-go golang-github-vmware-govmomi-dev`, which ' +
  'build.sh does itself when run as root).';

// Bounds: the simulator starts in well under a second, but two busy cores shared by several test files are slower.
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** The built simulator, or null when it has not been built. */
export function vcsimBinary(): string | null {
  try {
    accessSync(VCSIM_BINARY, constants.X_OK);
    return VCSIM_BINARY;
  } catch {
    return null;
  }
}

/**
 * The simulator for this test file, or null after printing why the vSphere tests skip. Under CI=true a missing
 * binary throws, so the file fails loudly rather than passing with nothing run.
 */
export function vcsimForTests(env: NodeJS.ProcessEnv = process.env): string | null {
  const found = vcsimBinary();
  if (found) return found;
  const message = `No vCenter simulator at ${VCSIM_BINARY}.`;
  if (env.CI === 'true') {
    throw new Error(`${message} Under CI=true the vSphere tests must run (.ci/run builds it). ${VCSIM_INSTALL_HINT}`);
  }
  console.warn(`vSphere tests skipped. ${message} ${VCSIM_INSTALL_HINT}`);
  return null;
}

/** Names of the simulated inventory, as a DVMM vSphere connection refers to them. */
export interface VcsimInventory {
  /** "DC0" */
  datacenter: string;
  /** "DC0_C0" */
  cluster: string;
  /** "/DC0/host/DC0_C0/Resources": the cluster's root pool, where the templates are. */
  resourcePool: string;
  /** "LocalDS_0" */
  datastore: string;
  /** "VM Network": the standard port group on every host (the templates' card is on it). */
  network: string;
  /** "DC0_DVPG0": a distributed port group ("" with `pg: 0`). */
  distributedPortgroup: string;
  /** "dvmm": an empty folder under the datacenter's vm folder, for the clones ("" when `vmFolder: ''`). */
  folder: string;
  /** In the datacenter's vm folder, e.g. "/DC0/vm/ubuntu-22.04"; marked as templates. */
  templates: string[];
}

export interface VcsimOptions {
  /** Template VMs to create; default ['ubuntu-22.04', 'rhel-9']. */
  templates?: string[];
  /** Delay per SOAP method in ms, e.g. { CloneVM_Task: 3000 }, so a test can stop the simulator in the middle. */
  methodDelayMs?: Record<string, number>;
  /** Delay before every SOAP method in ms. */
  delayMs?: number;
  /** The only credentials Login accepts; default user / pass. */
  username?: string;
  password?: string;
  /** VM folder for clones; default "dvmm". */
  vmFolder?: string;
  /** Inventory size; defaults: 1 datacenter, 1 cluster of 1 host, no standalone host, 1 datastore, 1 DV port group. */
  datacenters?: number;
  clusters?: number;
  hostsPerCluster?: number;
  standaloneHosts?: number;
  datastores?: number;
  portgroups?: number;
  /** Model VMs per resource pool (besides the templates); default 0. */
  vms?: number;
  /** Child resource pools per cluster; default 0. */
  pools?: number;
  /** Folders the datacenters are placed in; default 0. */
  folders?: number;
}

export interface Vcsim {
  /** https://127.0.0.1:PORT */
  url: string;
  /** https://127.0.0.1:PORT/sdk: the vim25 SOAP endpoint (VsphereConnectionSettings.url). */
  sdkUrl: string;
  port: number;
  username: string;
  password: string;
  /** The server's self-signed certificate: verify TLS against it (VsphereTls.caPem), never switch checks off. */
  caPem: string;
  caFile: string;
  /** The running process's id (a new one after restart()). */
  readonly pid: number;
  inventory: VcsimInventory;
  /** What the simulator printed, both streams. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL: a vCenter that vanishes without a word. */
  kill(): Promise<void>;
  /**
   * Starts it again on the same port with the same certificate, credentials and options (stopping it first if it
   * runs). The inventory is made anew: VMs created before are gone, the names above stay.
   */
  restart(): Promise<void>;
  /** stop(), then removes its temporary folder (certificate, key, datastores). For afterAll. */
  close(): Promise<void>;
}

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
  port: number;
  sdkUrl: string;
  inventory: VcsimInventory;
}

const READY_LINE = /^VCSIM_URL=(\S+) VCSIM_PORT=(\d+) VCSIM_PID=(\d+) VCSIM_INVENTORY=(\{.*\})$/;

/** Starts the simulator on a free port of 127.0.0.1 and resolves once it serves, templates made. One per test file. */
export async function startVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  const binary = vcsimBinary();
  if (!binary) throw new Error(`No vCenter simulator at ${VCSIM_BINARY}. ${VCSIM_INSTALL_HINT}`);
  const folder = mkdtempSync(join(tmpdir(), 'dvmm-vcsim-'));
  const caFile = join(folder, 'ca.pem');
  const username = options.username ?? 'user';
  const password = options.password ?? 'pass';
  let output = '';
  const record = (text: string) => (output += text);
  const launchOn = (port: number) => launch(binary, folder, argumentsFor(options, caFile, username, password, port), record);
  let current: Started;
  try {
    current = await launchOn(0);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  const port = current.port;
  const stopWith = async (signal: NodeJS.Signals) => {
    const { child, exited } = current;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)));
    const outcome = await Promise.race([exited.then(() => 'exited' as const), bound]);
    clearTimeout(timer);
    if (outcome === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
  };

  return {
    url: `https://127.0.0.1:${port}`,
    sdkUrl: current.sdkUrl,
    port,
    username,
    password,
    caPem: readFileSync(caFile, 'utf8'),
    caFile,
    get pid() {
      return current.child.pid!;
    },
    inventory: current.inventory,
    output: () => output,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    async restart() {
      await stopWith('SIGTERM');
      current = await launchOn(port);
    },
    async close() {
      await stopWith('SIGTERM');
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

function argumentsFor(options: VcsimOptions, caFile: string, username: string, password: string, port: number): string[] {
  const args = ['-port', String(port), '-tls-cert', caFile, '-username', username, '-password', password];
  args.push('-exit-on-stdin-eof');
  const numbers: [keyof VcsimOptions, string][] = [
    ['datacenters', '-dc'],
    ['clusters', '-cluster'],
    ['hostsPerCluster', '-host'],
    ['standaloneHosts', '-standalone-host'],
    ['datastores', '-ds'],
    ['portgroups', '-pg'],
    ['vms', '-vm'],
    ['pools', '-pool'],
    ['folders', '-folder'],
    ['delayMs', '-delay'],
  ];
  for (const [option, flag] of numbers) {
    if (options[option] !== undefined) args.push(flag, String(options[option]));
  }
  if (options.templates) args.push('-templates', options.templates.join(','));
  if (options.vmFolder !== undefined) args.push('-vm-folder', options.vmFolder);
  if (options.methodDelayMs) {
    const delays = Object.entries(options.methodDelayMs).map(([method, ms]) => `${method}=${ms}`);
    args.push('-method-delay', delays.join(','));
  }
  return args;
}

function launch(binary: string, folder: string, args: string[], record: (text: string) => void): Promise<Started> {
  // Its datastores are temporary folders: keep them in ours, so close() removes them even after a SIGKILL.
  const child = spawn(binary, args, {
    cwd: folder,
    env: { ...process.env, TMPDIR: folder },
    // stdin stays an open pipe: when this process dies, it closes and the simulator stops (-exit-on-stdin-eof).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<Started>((resolve, reject) => {
    let pending = '';
    let seen = '';
    let settled = false;
    const late = () => fail(new Error(`the vCenter simulator did not serve within ${READY_TIMEOUT_MS} ms`));
    const timer = setTimeout(late, READY_TIMEOUT_MS);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      error.message += seen ? `:\n${seen}` : '';
      reject(error);
    };
    child.once('error', fail);
    // 'close' rather than 'exit': by then all it printed has arrived, for the error message.
    child.once('close', (code, signal) => fail(new Error(`the vCenter simulator exited (${signal ?? code}) before serving`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      record(String(chunk));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = String(chunk);
      seen += text;
      record(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = READY_LINE.exec(line);
        if (!match || settled) continue;
        settled = true;
        clearTimeout(timer);
        const sdk = new URL(match[1]!);
        const sdkUrl = `${sdk.protocol}//${sdk.host}${sdk.pathname}`;
        resolve({ child, exited, port: Number(match[2]), sdkUrl, inventory: JSON.parse(match[4]!) as VcsimInventory });
      }
    });
  });
}
