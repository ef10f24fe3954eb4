import type { VmSizeSpec } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { VmSizeEnum } from './enums.ts';

export const VmSizeSpecRef = builder.objectRef<VmSizeSpec>('VmSizeSpec').implement({
  description: 'What a size means: resources and the estimated monthly cost.',
  fields: (t) => ({
    size: t.expose('size', { type: VmSizeEnum, description: 'The size.' }),
    vcpus: t.exposeInt('vcpus', { description: 'Virtual CPUs.' }),
    memoryGb: t.exposeInt('memoryGb', { description: 'Memory in GB.' }),
    diskGb: t.exposeInt('diskGb', { description: 'Disk in GB.' }),
    monthlyCostEur: t.exposeInt('monthlyCostEur', { description: 'Estimated cost per month in EUR (list price).' }),
  }),
});
