import { PENDING_LABELS, POWER_LABELS } from '../../components/power-badge.tsx';
import { STATUS_LABELS } from '../../components/status-badge.tsx';
import type { RequestDetailFragment } from '../../gql/graphql.ts';

type VmState = Pick<RequestDetailFragment, 'status' | 'powerState' | 'pendingOperation'>;

/** The VM's state in words, for sentences ("Off, powering on…", "decommissioned"). */
export function vmStateWords(request: VmState): string {
  if (request.status !== 'READY') return STATUS_LABELS[request.status].toLowerCase();
  const power = POWER_LABELS[request.powerState ?? 'UNKNOWN'];
  return request.pendingOperation ? `${power}, ${PENDING_LABELS[request.pendingOperation].toLowerCase()}` : power;
}

/** Which actions a READY VM offers now; the server decides, these only spare a refusal that is certain. */
export function vmActions(request: VmState) {
  const ready = request.status === 'READY';
  const idle = ready && request.pendingOperation === null;
  const power = request.powerState ?? 'UNKNOWN';
  return {
    powerOff: ready && power !== 'OFF',
    powerOn: ready && power !== 'ON',
    // Both power buttons wait while anything is pending; a decommission supersedes a pending power operation.
    powerEnabled: idle,
    decommissionEnabled: ready && request.pendingOperation !== 'DECOMMISSION',
  };
}
