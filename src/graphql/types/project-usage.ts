import { builder } from '../builder.ts';
import type { ProjectUsageView } from '../read/project-usage.ts';
import { loadersFor } from '../read/loaders.ts';
import { ProjectRef } from './project.ts';

const ProjectUsageRef = builder.objectRef<ProjectUsageView>('ProjectUsage').implement({
  description:
    "What the project's provisioned VMs add up to: every request of the project that reached READY, by the size it was requested with. Requests on their way (PENDING, APPROVED, PROVISIONING) are not counted until they are READY. DVMM records no VM being stopped or deleted, so these totals only grow. Read from the usage read model, updated right after each commit (like every query, it may trail a just-returned mutation by a moment).",
  fields: (t) => ({
    vms: t.exposeInt('vms', { description: 'VMs provisioned (requests that reached READY).' }),
    vcpus: t.exposeInt('vcpus', { description: 'Their virtual CPUs, summed.' }),
    memoryGb: t.exposeInt('memoryGb', { description: 'Their memory in GB, summed.' }),
    diskGb: t.exposeInt('diskGb', { description: 'Their disk in GB, summed.' }),
    monthlyCostEur: t.exposeInt('monthlyCostEur', { description: 'Their cost per month in EUR, summed (list prices of vmSizes).' }),
  }),
});

builder.objectField(ProjectRef, 'usage', (t) =>
  t.field({
    type: ProjectUsageRef,
    description: "The project's provisioned resources and their monthly cost (zeros before its first READY VM).",
    resolve: (project, _args, context) => loadersFor(context).usageOf(project),
  }),
);
