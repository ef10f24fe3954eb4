import type { DomainResult } from './errors.ts';
import { parseText } from './text.ts';

export type Justification = string & { readonly __brand: 'Justification' };

export const JUSTIFICATION_MIN = 10;
export const JUSTIFICATION_MAX = 1000;

export const parseJustification = (input: string, field = 'justification'): DomainResult<Justification> =>
  parseText(input, field, {
    label: 'Justification',
    min: JUSTIFICATION_MIN,
    max: JUSTIFICATION_MAX,
    multiline: true,
  }) as DomainResult<Justification>;
