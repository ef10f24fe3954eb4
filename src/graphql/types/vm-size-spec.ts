import type { VmSizeSpec } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { VmSizeEnum } from './enums.ts';

export const VmSizeSpecRef = builder.objectRef<VmSizeSpec>('VmSizeSpec').implement({
  description: 'What a size means: resources and the estimated monthly cost.',
  fields: (t) => ({
    size: t.expose('size', { type: VmSizeEnum }),
    vcpus: t.exposeInt('vcpus'),
    memoryGb: t.exposeInt('memoryGb'),
    diskGb: t.exposeInt('diskGb'),
    monthlyCostEur: t.exposeInt('monthlyCostEur'),
  }),
});
