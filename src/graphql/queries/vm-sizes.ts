import { VM_SIZES, vmSizeSpec } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { VmSizeSpecRef } from '../types/vm-size-spec.ts';

builder.queryField('vmSizes', (t) =>
  t.field({
    type: [VmSizeSpecRef],
    description: 'Every VM size, smallest first, with its resources and monthly cost.',
    resolve: () => VM_SIZES.map(vmSizeSpec),
  }),
);
