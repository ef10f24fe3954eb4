import type { PowerState, VmOperation } from '../gql/graphql.ts';

export const POWER_LABELS: Record<PowerState, string> = { ON: 'On', OFF: 'Off', UNKNOWN: 'Unknown' };

/** What a pending operation is doing, as a person reads it while it runs. */
export const PENDING_LABELS: Record<VmOperation, string> = {
  POWER_OFF: 'Powering off…',
  POWER_ON: 'Powering on…',
  DECOMMISSION: 'Decommissioning…',
};

/** What was asked for, in a sentence ("Power off failed"). */
export const OPERATION_LABELS: Record<VmOperation, string> = {
  POWER_OFF: 'Power off',
  POWER_ON: 'Power on',
  DECOMMISSION: 'Decommission',
};

/** A READY VM's power in words (the colour only repeats it), and the operation under way if one is. */
export function PowerBadge({ powerState, pending }: { powerState: PowerState | null; pending: VmOperation | null }) {
  const state = powerState ?? 'UNKNOWN';
  return (
    <span className="power" data-power={state} data-pending={pending ?? undefined}>
      <span className={`badge power-${state}`}>
        <span className="visually-hidden">Power: </span>
        {POWER_LABELS[state]}
      </span>
      {pending ? <span className="pending-operation"> {PENDING_LABELS[pending]}</span> : null}
    </span>
  );
}
