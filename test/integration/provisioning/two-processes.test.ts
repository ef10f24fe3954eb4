import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { hypervisorVmName, readSimulatorFile } from '../../../src/provisioning/index.ts';
import { killChildren, startChild } from './support/child.ts';
import { FAST, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from './support/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'dvmm-provisioning-two-'));

afterAll(async () => {
  await killChildren();
  rmSync(dir, { recursive: true, force: true });
});

const REQUESTS = 20;

provisioningTest('two processes running: every approved request is provisioned exactly once', async ({ h }) => {
  // Each process has its own simulated hypervisor (own file): a VM built twice would show up in both inventories.
  const files = [join(dir, 'a.json'), join(dir, 'b.json')];
  const processes = await Promise.all(
    files.map((stateFile) =>
      startChild({ url: h.t.url, stateFile, stageMs: 30, options: { ...FAST, networkTimeoutMs: 10_000 } }),
    ),
  );

  const ids: string[] = [];
  for (let i = 0; i < REQUESTS; i++) ids.push(await h.createRequest(`vm-${String(i).padStart(2, '0')}`));
  await Promise.all(ids.map((id) => h.approve(id)));
  const streams = await Promise.all(ids.map((id) => settled(h, id, 60_000)));
  const statuses = await Promise.all(processes.map((p) => p.stop()));

  for (const events of streams) expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);

  const inventories = files.map((file) => readSimulatorFile(file));
  const vms = inventories.flatMap((inventory) => inventory.vms);
  expect(vms.map((vm) => vm.name).sort()).toEqual(ids.map(hypervisorVmName).sort());
  const clones = inventories.flatMap((inventory) => inventory.calls).filter((c) => c.operation === 'clone');
  expect(clones).toHaveLength(REQUESTS);
  ids.forEach((id, i) => {
    const ready = streams[i]![streams[i]!.length - 1]!;
    expect(vms.find((vm) => vm.name === hypervisorVmName(id))?.id).toBe(ready.data.vmwareVmId);
  });
  expect(statuses.reduce((sum, s) => sum + s.finished.ready, 0)).toBe(REQUESTS);
  console.log(`[test] requests provisioned per process: ${statuses.map((s) => s.finished.ready).join(' + ')}`);
});
