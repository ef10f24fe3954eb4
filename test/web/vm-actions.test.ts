import { describe, expect, it } from 'vitest';
import type { PowerState, VmOperation, VmRequestStatus } from '../../web/src/gql/graphql.ts';
import { vmActions, vmStateWords } from '../../web/src/pages/request-detail/vm-state.ts';

// What the request page offers for a VM, and how it names its state, against the domain's rules (lifecycle): a power
// operation needs READY with nothing pending and a power state it changes; a decommission needs READY with no
// decommission pending (it supersedes a pending power operation).

const POWER: (PowerState | null)[] = ['ON', 'OFF', 'UNKNOWN', null];
const PENDING: (VmOperation | null)[] = [null, 'POWER_OFF', 'POWER_ON', 'DECOMMISSION'];
const STATUSES: VmRequestStatus[] = ['PENDING', 'APPROVED', 'PROVISIONING', 'READY', 'REJECTED', 'CANCELLED', 'FAILED', 'DECOMMISSIONED'];

describe('vmActions', () => {
  it('offers exactly what the domain would accept, for every status, power state and pending operation', () => {
    for (const status of STATUSES) {
      for (const powerState of POWER) {
        for (const pendingOperation of PENDING) {
          const actions = vmActions({ status, powerState, pendingOperation });
          const ready = status === 'READY';
          const label = `${status} ${powerState} ${pendingOperation}`;
          expect(actions.powerOff && actions.powerEnabled, label).toBe(ready && pendingOperation === null && powerState !== 'OFF');
          expect(actions.powerOn && actions.powerEnabled, label).toBe(ready && pendingOperation === null && powerState !== 'ON');
          expect(actions.decommissionEnabled, label).toBe(ready && pendingOperation !== 'DECOMMISSION');
        }
      }
    }
  });

  it('shows both power buttons while the power state is unknown', () => {
    expect(vmActions({ status: 'READY', powerState: 'UNKNOWN', pendingOperation: null })).toMatchObject({ powerOff: true, powerOn: true });
  });
});

describe('vmStateWords', () => {
  it('names the power state and what is under way, or the status once the VM is gone', () => {
    expect(vmStateWords({ status: 'READY', powerState: 'ON', pendingOperation: null })).toBe('On');
    expect(vmStateWords({ status: 'READY', powerState: 'OFF', pendingOperation: 'POWER_ON' })).toBe('Off, powering on…');
    expect(vmStateWords({ status: 'READY', powerState: null, pendingOperation: 'DECOMMISSION' })).toBe('Unknown, decommissioning…');
    expect(vmStateWords({ status: 'DECOMMISSIONED', powerState: null, pendingOperation: null })).toBe('decommissioned');
  });
});
