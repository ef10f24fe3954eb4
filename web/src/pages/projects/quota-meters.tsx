import { useId } from 'react';
import type { ProjectItemFragment, QuotaResource } from '../../gql/graphql.ts';

type Quota = ProjectItemFragment['quota'];
type Usage = ProjectItemFragment['usage'];
type Figures = Usage['counted'];

/** The four limits, each with the figure it caps, in the order the server checks them. */
export const QUOTA_RESOURCES: readonly { resource: QuotaResource; label: string; limit: keyof Quota & `max${string}`; figure: keyof Figures; unit: string }[] = [
  { resource: 'VMS', label: 'VMs', limit: 'maxVms', figure: 'vms', unit: '' },
  { resource: 'VCPUS', label: 'vCPU', limit: 'maxVCpus', figure: 'vcpus', unit: '' },
  { resource: 'RAM_GB', label: 'RAM', limit: 'maxRamGb', figure: 'memoryGb', unit: ' GB' },
  { resource: 'STORAGE_GB', label: 'Disk', limit: 'maxStorageGb', figure: 'diskGb', unit: ' GB' },
];

/** "2 of 4" (or "2 of 4 GB"), "2 (no limit)" when unlimited: the figure a meter's text and the compact list show. */
export function countedAgainstLimit(counted: number, limit: number | null | undefined, unit = ''): string {
  return limit === null || limit === undefined ? `${counted}${unit} (unlimited)` : `${counted} of ${limit}${unit}`;
}

function standing(counted: number, limit: number): string {
  if (counted > limit) return 'over the limit';
  if (counted === limit) return 'full';
  return `${limit - counted} left`;
}

/**
 * What the project holds against each limit: a meter (the counted figure out of the limit) with the same in words,
 * and where it comes from (running VMs, requests on their way). An unlimited resource has no meter, only its figure.
 * Every figure is text, so no state is told by colour alone.
 */
export function QuotaMeters({ quota, usage }: { quota: Quota; usage: Usage }) {
  const id = useId();
  return (
    <ul className="quota-meters" aria-label="Usage against the quota">
      {QUOTA_RESOURCES.map(({ resource, label, limit: limitKey, figure, unit }) => {
        const limit = quota[limitKey];
        const counted = usage.counted[figure];
        const labelId = `${id}-${resource}`;
        const textId = `${id}-${resource}-text`;
        const breakdown = `${usage.running[figure]}${unit} running, ${usage.held[figure]}${unit} requested and not yet running`;
        return (
          <li key={resource} className="quota-meter" data-quota={label}>
            <span id={labelId} className="quota-label">
              {label}
            </span>
            {limit === null || limit === undefined ? (
              <span className="quota-bar quota-unlimited" aria-hidden="true" />
            ) : (
              <meter
                className="quota-bar"
                aria-labelledby={labelId}
                aria-describedby={textId}
                min={0}
                max={Math.max(limit, 1)}
                value={Math.min(counted, limit)}
                high={Math.max(limit, 1) * 0.8}
                optimum={0}
              />
            )}
            <span id={textId} className="quota-text">
              <strong data-quota-counted>{countedAgainstLimit(counted, limit, unit)}</strong>
              {limit === null || limit === undefined ? null : (
                <span className={counted >= limit ? 'quota-standing quota-full' : 'quota-standing'}> ({standing(counted, limit)})</span>
              )}
              <span className="hint quota-breakdown">{breakdown}</span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** The limited resources in a few words for a list ("VMs 2 of 2, RAM 8 of 32 GB"), or that none is limited. */
export function QuotaSummary({ quota, counted }: { quota: Quota; counted: Figures }) {
  const limited = QUOTA_RESOURCES.filter(({ limit }) => quota[limit] !== null && quota[limit] !== undefined);
  if (limited.length === 0) return <span className="hint">No limits</span>;
  return (
    <ul className="quota-summary">
      {limited.map(({ resource, label, limit, figure, unit }) => {
        const max = quota[limit]!;
        return (
          <li key={resource} className={counted[figure] >= max ? 'quota-full' : undefined}>
            {label} {countedAgainstLimit(counted[figure], max, unit)}
            {counted[figure] > max ? ' (over)' : counted[figure] === max ? ' (full)' : ''}
          </li>
        );
      })}
    </ul>
  );
}
