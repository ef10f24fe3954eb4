// No database here: the environment parsing and the backoff schedule main.ts relies on.
import { describe, expect, it } from 'vitest';
import { type Env, parseConfig } from '../../../src/config/index.ts';
import { backoffMs, DEFAULT_PROVISIONING_OPTIONS, provisioningConfig } from '../../../src/provisioning/index.ts';

const settingsOf = (env: Env) => provisioningConfig(parseConfig(env));

describe('provisioning configuration', () => {
  it('defaults follow domain.md: on, 5 attempts, 10/20/40/80 s capped at 120 s, simulated stages in seconds', () => {
    const config = settingsOf({});
    expect(config).toMatchObject({ enabled: true, stageMs: 2000, simulatorStateFile: undefined });
    expect(config.options).toEqual(DEFAULT_PROVISIONING_OPTIONS);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, config.options))).toEqual([
      10_000, 20_000, 40_000, 80_000, 120_000, 120_000,
    ]);
  });

  it('reads every PROVISIONING_* variable', () => {
    const config = settingsOf({
      PROVISIONING_ENABLED: 'false',
      PROVISIONING_STAGE_MS: '50',
      PROVISIONING_MAX_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '100',
      PROVISIONING_BACKOFF_MAX_MS: '250',
      PROVISIONING_NETWORK_TIMEOUT_MS: '500',
      PROVISIONING_CONCURRENCY: '2',
      PROVISIONING_SIMULATOR_STATE_FILE: '/tmp/vms.json',
    });
    expect(config).toMatchObject({ enabled: false, stageMs: 50, simulatorStateFile: '/tmp/vms.json' });
    expect(config.options).toMatchObject({
      maxAttempts: 3,
      backoffMs: 100,
      backoffMaxMs: 250,
      networkTimeoutMs: 500,
      concurrency: 2,
    });
    expect([1, 2, 3].map((attempt) => backoffMs(attempt, config.options))).toEqual([100, 200, 250]);
  });

  it('refuses values that are not numbers or flags instead of guessing', () => {
    expect(() => settingsOf({ PROVISIONING_MAX_ATTEMPTS: '0' })).toThrow(/PROVISIONING_MAX_ATTEMPTS/);
    expect(() => settingsOf({ PROVISIONING_STAGE_MS: '2s' })).toThrow(/PROVISIONING_STAGE_MS/);
    expect(() => settingsOf({ PROVISIONING_ENABLED: 'maybe' })).toThrow(/PROVISIONING_ENABLED/);
  });
});
