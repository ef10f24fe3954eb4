import type { ProvisioningStage, VmRequestStatus } from '../gql/graphql.ts';

const STEPS = [
  ['CLONING', 'Cloning'],
  ['CONFIGURING', 'Configuring'],
  ['POWERING_ON', 'Powering on'],
  ['WAITING_FOR_NETWORK', 'Waiting for network'],
  ['READY', 'Ready'],
] as const;

type StepState = 'done' | 'current' | 'todo';

/**
 * Provisioning as steps: those the current attempt passed, the one it is at, those to come; all done once READY.
 * `provisioningStage` is null before an attempt's first stage and during a retry's backoff, so nothing is current then.
 */
export function StageSteps({ status, stage, compact = false }: { status: VmRequestStatus; stage: ProvisioningStage | null; compact?: boolean }) {
  const reached = status === 'READY' ? STEPS.length : stage ? STEPS.findIndex(([step]) => step === stage) : -1;
  const stateOf = (index: number): StepState =>
    status === 'READY' || index < reached ? 'done' : index === reached ? 'current' : 'todo';
  return (
    <ol className={compact ? 'stage-steps compact' : 'stage-steps'} aria-label="Provisioning progress" data-stage={stage ?? (status === 'READY' ? 'READY' : '')}>
      {STEPS.map(([step, label], index) => {
        const state = stateOf(index);
        return (
          <li key={step} className={`step step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="step-marker" aria-hidden="true">
              {state === 'done' ? '✓' : index + 1}
            </span>
            <span className="step-label">{label}</span>
            <span className="visually-hidden">{state === 'done' ? ' (done)' : state === 'current' ? ' (in progress)' : ' (to come)'}</span>
          </li>
        );
      })}
    </ol>
  );
}
