import { sealKeyFromEnv, type SealKeyConfig } from './seal-key.ts';

export interface SealerConfig extends SealKeyConfig {
  sealIntervalMs: number;
}

/**
 * The sealer's settings: the key (seal-key.ts) and `DVMM_SEAL_INTERVAL_MS`, how often the chain's head is sealed
 * when it moved (default 10 s; events after the last seal are covered by the chain only). Read once at start, so
 * a bad value stops the service before anything runs.
 */
export function sealerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SealerConfig {
  const raw = env.DVMM_SEAL_INTERVAL_MS?.trim();
  const sealIntervalMs = raw ? Number(raw) : 10_000;
  if (!Number.isInteger(sealIntervalMs) || sealIntervalMs < 100 || sealIntervalMs > 86_400_000) {
    throw new Error(`DVMM_SEAL_INTERVAL_MS must be a whole number of milliseconds from 100 to 86400000, got "${raw}"`);
  }
  return { ...sealKeyFromEnv(env), sealIntervalMs };
}

/** The start-up line: what is sealed with which key, or a warning that nothing is. */
export function describeSealing(config: SealerConfig): string {
  if (!config.key) {
    return `[audit] WARNING: no seal key (${config.missing}): the global chain is kept but not signed, so a superuser who rewrites the log and the chain together goes undetected; set DVMM_SEAL_KEY or DVMM_SEAL_KEY_FILE`;
  }
  return `[audit] sealing the log every ${config.sealIntervalMs / 1000} s with key ${config.key.keyId} from ${config.key.source} (public key: npm run cli -- seal-key)`;
}
