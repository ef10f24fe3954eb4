import type { ProvisioningOptions } from './config.ts';

/**
 * The wait after failed attempt `attempt` (1-based) before the next one: base, 2x, 4x ... capped.
 * With the defaults: 10 s, 20 s, 40 s, 80 s.
 */
export const backoffMs = (attempt: number, options: Pick<ProvisioningOptions, 'backoffMs' | 'backoffMaxMs'>): number =>
  Math.min(options.backoffMs * 2 ** Math.max(0, attempt - 1), options.backoffMaxMs);
