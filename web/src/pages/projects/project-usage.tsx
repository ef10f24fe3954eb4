import type { ProjectItemFragment } from '../../gql/graphql.ts';

export const euro = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });

type Usage = ProjectItemFragment['usage'];

/** The project's provisioned VMs added up, as labelled figures. */
export function ProjectUsageFigures({ usage, label }: { usage: Usage; label: string }) {
  const figures: [string, string][] = [
    ['VMs', String(usage.vms)],
    ['vCPU', String(usage.vcpus)],
    ['RAM', `${usage.memoryGb} GB`],
    ['Disk', `${usage.diskGb} GB`],
    ['Cost', `${euro.format(usage.monthlyCostEur)}/month`],
  ];
  return (
    <dl className="usage" aria-label={label}>
      {figures.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd data-usage={name}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
