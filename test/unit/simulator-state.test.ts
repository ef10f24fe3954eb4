import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readSimulatorFile } from '../../src/provisioning/index.ts';
import { withFileLock } from '../../src/provisioning/simulator-file-lock.ts';
import { createSimulatorState } from '../../src/provisioning/simulator-state.ts';

// The simulated hypervisor's state file, shared by several processes (the instances of the failover drill): no
// change may be lost to another process's rewrite, and a lock left by a killed process must not block the rest.

const dir = mkdtempSync(join(tmpdir(), 'dvmm-simulator-state-'));
const stateModule = fileURLToPath(new URL('../../src/provisioning/simulator-state.ts', import.meta.url));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(code: string): Promise<{ code: number | null; pid: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  return new Promise((resolve) => child.once('close', (exit) => resolve({ code: exit, pid: child.pid!, stderr })));
}

const call = (operation: 'find', n: number) => ({
  operation,
  requestId: `r-${n}`,
  vmName: `vm-${n}`,
  vmId: null,
  attempt: 1,
  outcome: 'ok',
  pid: process.pid,
  at: new Date(0).toISOString(),
});

describe('simulator state in a file shared by processes', () => {
  it('keeps every change of three processes writing at once', async () => {
    const file = join(dir, 'shared.json');
    const writer = `
      const { createSimulatorState } = await import(${JSON.stringify(stateModule)});
      const state = createSimulatorState(${JSON.stringify(file)});
      for (let i = 0; i < 60; i++) {
        state.update((s) => void s.calls.push({ operation: 'find', requestId: 'r', vmName: 'vm', vmId: null, attempt: i, outcome: 'ok', pid: process.pid, at: '' }));
      }`;
    const results = await Promise.all([run(writer), run(writer), run(writer)]);
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });

    const { calls } = readSimulatorFile(file);
    expect(calls).toHaveLength(180);
    for (const { pid } of results) {
      expect(calls.filter((c) => c.pid === pid).map((c) => c.attempt)).toEqual([...Array(60).keys()]);
    }
  });

  it('reads what another process wrote since', () => {
    const file = join(dir, 'read.json');
    const mine = createSimulatorState(file);
    const other = createSimulatorState(file);
    other.update((s) => void s.calls.push(call('find', 1)));
    expect(mine.read().calls.map((c) => c.requestId)).toEqual(['r-1']);
  });

  it('breaks a lock whose process died, and waits for one whose process lives', async () => {
    const file = join(dir, 'stale.json');
    const dead = await run('');
    writeFileSync(`${file}.lock`, String(dead.pid));
    createSimulatorState(file).update((s) => void s.calls.push(call('find', 2)));
    expect(readSimulatorFile(file).calls).toHaveLength(1);

    writeFileSync(`${file}.lock`, String(process.pid));
    expect(() => withFileLock(`${file}.lock`, () => 'taken', 50)).toThrow(/held for more than 50 ms/);
    expect(readSimulatorFile(file).calls).toHaveLength(1);
  });

  it('keeps the state in memory only without a file', () => {
    const state = createSimulatorState();
    state.update((s) => void s.calls.push(call('find', 3)));
    expect(state.read().calls).toHaveLength(1);
    expect(createSimulatorState().read().calls).toEqual([]);
  });
});
