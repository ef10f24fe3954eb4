import { afterAll, beforeAll, describe, expect } from 'vitest';
import { hypervisorVmName } from '../../../src/provisioning/index.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../../support/vcsim.ts';
import { FAST, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from '../provisioning/support/harness.ts';
import { killVsphereChildren, startVsphereChild } from './child.ts';
import { observe, settingsFor } from './support.ts';

// A provisioning process on the vSphere adapter SIGKILLed while its clone is in flight (the simulator holds
// CloneVM_Task for a while), then started again: it finds the VM the dead process's clone made, by name, and the
// request ends READY with exactly one VM.
//
// The restarted process starts once that clone has landed. Had it cloned while the first clone was still held, the
// simulator would make a second VM of the same name: govmomi 0.24's simulator does not keep names unique in a folder,
// which vCenter does (the second clone fails with DuplicateName, and the adapter then takes the VM it finds by name).
const binary = vcsimForTests();

let vcsim: Vcsim;
let seen: ReturnType<typeof observe>;

beforeAll(async () => {
  if (binary === null) return;
  vcsim = await startVcsim({ methodDelayMs: { CloneVM_Task: 2_000 } });
  seen = observe(vcsim);
});
afterAll(async () => {
  killVsphereChildren();
  await seen?.close();
  await vcsim?.close();
});

describe.skipIf(binary === null)('a vSphere provisioning process killed mid-clone', () => {
  provisioningTest('the restarted process finds the clone by name and finishes with exactly one VM', async ({ h }) => {
    const config = { url: h.t.url, settings: settingsFor(vcsim), options: { ...FAST, networkTimeoutMs: 20_000 } };
    const request = await h.approvedRequest('crash-01');
    const name = hypervisorVmName(request.id);

    const first = await startVsphereChild(config);
    // The adapter logs just before it sends CloneVM_Task; the simulator then holds the call before creating anything.
    await expect.poll(() => first.log().includes(`vsphere: cloning ${name}`), { timeout: 30_000, interval: 10 }).toBe(true);
    expect((await h.events(request.id)).at(-1)?.data.stage).toBe('CLONING');
    await first.kill();
    expect(await seen.vmsNamed(name)).toEqual([]);
    // The call outlives its caller: the VM appears in the folder with nobody left to record it.
    await expect.poll(async () => (await seen.vmsNamed(name)).length, { timeout: 30_000, interval: 50 }).toBe(1);

    const second = await startVsphereChild(config);
    const events = await settled(h, request.id, 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${first.log()}\n${second.log()}`);
    });
    await second.stop();

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
    const vms = await seen.vmsNamed(name);
    expect(vms).toHaveLength(1);
    expect(vms[0]).toMatchObject({ folder: vcsim.inventory.folder, powerState: 'poweredOn', numCpu: 4 });
    expect(events.at(-1)?.data).toMatchObject({ vmwareVmId: vms[0]?.id, ipAddress: vms[0]?.ipAddress });
    // Found, not cloned again.
    expect(second.log()).not.toContain(`vsphere: cloning ${name}`);
  });
});
