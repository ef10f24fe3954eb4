import { afterAll, beforeAll, describe, expect } from 'vitest';
import { hypervisorVmName } from '../../../src/provisioning/index.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../../support/vcsim.ts';
import { FAST, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from '../provisioning/support/harness.ts';
import { killVsphereChildren, startVsphereChild } from './child.ts';
import { observe, settingsFor } from './support.ts';

// A provisioning process on the vSphere adapter SIGKILLed while it waits for its clone task, then started again: it
// finds the VM the dead process's clone made, by name, and the request ends READY with exactly one VM.
//
// The simulator holds CreatePropertyCollector (the start of every task wait) for a while, so the kill lands after
// vCenter made the VM and before the process learnt of it, whatever the machine's load. (Holding CloneVM_Task instead
// leaves no sign of when the request reached the simulator; and a restarted process cloning while the first clone is
// held would make a second VM of the same name: govmomi 0.24's simulator does not keep names unique in a folder,
// which vCenter does: the second clone fails with DuplicateName, and the adapter takes the VM it finds by name.)
const binary = vcsimForTests();

let vcsim: Vcsim;
let seen: ReturnType<typeof observe>;

beforeAll(async () => {
  if (binary === null) return;
  vcsim = await startVcsim({ methodDelayMs: { CreatePropertyCollector: 5_000 } });
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
    // The clone is made; its process is still waiting to hear of it, with nothing recorded past CLONING.
    await expect.poll(async () => (await seen.vmsNamed(name)).length, { timeout: 30_000, interval: 20 }).toBe(1);
    expect(first.log()).toContain(`vsphere: cloning ${name}`);
    await first.kill();
    expect((await h.events(request.id)).at(-1)?.data.stage).toBe('CLONING');

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
  }, 120_000); // the restarted process's task waits are held too
});
