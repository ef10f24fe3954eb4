import type { QuotaLimits } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { loadersFor } from '../read/loaders.ts';
import { ProjectRef } from './project.ts';

const ProjectQuotaRef = builder.objectRef<QuotaLimits>('ProjectQuota').implement({
  description:
    "A project's limits (set by tenant admins with setProjectQuota); null is no limit. Every request that is PENDING, " +
    'APPROVED, PROVISIONING or READY counts (Project.usage.counted); a request that would go over a limit is refused ' +
    'when it is made and when it is approved (QuotaExceededError).',
  fields: (t) => ({
    maxVms: t.exposeInt('maxVms', { nullable: true, description: 'How many VMs the project may hold (resource VMS).' }),
    maxVCpus: t.exposeInt('maxVCpus', { nullable: true, description: 'How many vCPUs its VMs may add up to (resource VCPUS).' }),
    maxRamGb: t.exposeInt('maxRamGb', { nullable: true, description: 'How much memory in GB its VMs may add up to (resource RAM_GB).' }),
    maxStorageGb: t.exposeInt('maxStorageGb', {
      nullable: true,
      description: 'How much disk in GB its VMs may add up to (resource STORAGE_GB).',
    }),
  }),
});

builder.objectField(ProjectRef, 'quota', (t) =>
  t.field({
    type: ProjectQuotaRef,
    description:
      "The project's limits (all null until an admin sets some), read together with Project.usage, so the two agree.",
    resolve: (project, _args, context) => loadersFor(context).ledgerOf(project).then((ledger) => ledger.quota),
  }),
);
