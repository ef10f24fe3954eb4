import { builder } from '../builder.ts';
import { loadersFor } from '../read/loaders.ts';
import { addFigures, type ProjectLedgerView, type UsageFigures } from '../read/project-quota.ts';
import { ProjectRef } from './project.ts';

const ProjectUsageFiguresRef = builder.objectRef<UsageFigures>('ProjectUsageFigures').implement({
  description: 'What a set of VM requests adds up to, by the size each was requested with (vmSizes).',
  fields: (t) => ({
    vms: t.exposeInt('vms', { description: 'How many requests (one VM each); counts against ProjectQuota.maxVms.' }),
    vcpus: t.exposeInt('vcpus', { description: 'Their virtual CPUs, summed; counts against ProjectQuota.maxVCpus.' }),
    memoryGb: t.exposeInt('memoryGb', { description: 'Their memory in GB, summed; counts against ProjectQuota.maxRamGb.' }),
    diskGb: t.exposeInt('diskGb', { description: 'Their disk in GB, summed; counts against ProjectQuota.maxStorageGb.' }),
    monthlyCostEur: t.exposeInt('monthlyCostEur', { description: 'Their cost per month in EUR, summed (list prices of vmSizes).' }),
  }),
});

const ProjectUsageRef = builder.objectRef<ProjectLedgerView>('ProjectUsage').implement({
  description:
    "What the project's VM requests hold, split into running VMs (READY) and requests on their way (PENDING, " +
    'APPROVED, PROVISIONING); `counted` is both together, which is what Project.quota limits. Rejected, cancelled, ' +
    'failed and DECOMMISSIONED requests hold nothing: a READY VM counts, powered on or off, until it is ' +
    'decommissioned or found deleted. Read from the quota ledger the commands check against, in the same reading ' +
    'as Project.quota: never behind ' +
    'a returned mutation, and consistent with the quota.',
  fields: (t) => ({
    running: t.field({
      type: ProjectUsageFiguresRef,
      description: 'The READY VMs (powered on or off; not those decommissioned).',
      resolve: (ledger) => ledger.running,
    }),
    held: t.field({
      type: ProjectUsageFiguresRef,
      description: 'Requests on their way: PENDING, APPROVED and PROVISIONING.',
      resolve: (ledger) => ledger.held,
    }),
    counted: t.field({
      type: ProjectUsageFiguresRef,
      description: 'running and held together: what the quota counts (QuotaExceededError.used is taken from this).',
      resolve: (ledger) => addFigures(ledger.running, ledger.held),
    }),
    // The totals this type had before quotas, kept as they were: the READY VMs (the same as `running`).
    vms: t.int({ description: 'VMs provisioned (requests that reached READY): the same as running.vms.', resolve: (ledger) => ledger.running.vms }),
    vcpus: t.int({ description: 'Their virtual CPUs, summed: the same as running.vcpus.', resolve: (ledger) => ledger.running.vcpus }),
    memoryGb: t.int({ description: 'Their memory in GB, summed: the same as running.memoryGb.', resolve: (ledger) => ledger.running.memoryGb }),
    diskGb: t.int({ description: 'Their disk in GB, summed: the same as running.diskGb.', resolve: (ledger) => ledger.running.diskGb }),
    monthlyCostEur: t.int({
      description: 'Their cost per month in EUR, summed (list prices of vmSizes): the same as running.monthlyCostEur.',
      resolve: (ledger) => ledger.running.monthlyCostEur,
    }),
  }),
});

builder.objectField(ProjectRef, 'usage', (t) =>
  t.field({
    type: ProjectUsageRef,
    description:
      "What the project's requests hold against its quota, and their monthly cost (zeros before its first request). " +
      "On a VmRequest delivered by a subscription, it is read as that change is delivered, so it includes the change.",
    resolve: (project, _args, context) => loadersFor(context).ledgerOf(project),
  }),
);
