import { type Env, parseConfig } from '../config/index.ts';
import { sealKey, type SealKeyConfig, type SealKeySettings } from './seal-key.ts';

export interface SealerConfig extends SealKeyConfig {
  sealIntervalMs: number;
}

/** The sealer's settings: the key (seal-key.ts) and how often the chain's head is sealed when it moved. */
export function sealerConfig(config: SealKeySettings): SealerConfig {
  return { ...sealKey(config), sealIntervalMs: config.sealing.intervalMs };
}

/** The sealer's settings a given environment asks for (its variables checked as at start-up). */
export const sealerConfigFromEnv = (env: Env): SealerConfig => sealerConfig(parseConfig(env));

/** The start-up line: what is sealed with which key, or a warning that nothing is. */
export function describeSealing(config: SealerConfig): string {
  if (!config.key) {
    return `[audit] WARNING: no seal key (${config.missing}): the global chain is kept but not signed, so a superuser who rewrites the log and the chain together goes undetected; set DVMM_SEAL_KEY or DVMM_SEAL_KEY_FILE`;
  }
  return `[audit] sealing the log every ${config.sealIntervalMs / 1000} s with key ${config.key.keyId} from ${config.key.source} (public key: npm run cli -- seal-key)`;
}
