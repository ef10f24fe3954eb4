import { describe, expect, it } from 'vitest';
import {
  checkQuota,
  fold,
  NO_QUOTA,
  type Principal,
  type ProjectCommand,
  projectDecider,
  type ProjectEvent,
  type QuotaLimitsInput,
  quotaAmountsOf,
} from '../../src/domain/index.ts';
import { deciderSpecification } from '../support/decider-spec.ts';
import { projectCreated } from '../support/domain-fixtures.ts';
import { alice, bob } from '../support/personas.ts';

const given = deciderSpecification(projectDecider);

const setQuota = (actor: Principal, expectedVersion: number, limits: QuotaLimitsInput): ProjectCommand => ({
  type: 'SetProjectQuota',
  data: { actor, expectedVersion, limits },
});
const quotaSet = (limits: Partial<typeof NO_QUOTA>): ProjectEvent => ({ type: 'ProjectQuotaSet', data: { ...NO_QUOTA, ...limits } });

describe('SetProjectQuota', () => {
  it('an admin sets all four limits at once; a limit left out is no limit', () => {
    given(projectCreated()).when(setQuota(bob, 2, { maxVms: 10, maxRamGb: 0 })).then([quotaSet({ maxVms: 10, maxRamGb: 0 })]);
  });

  it('replaces the previous limits and the state carries them', () => {
    given([...projectCreated(), quotaSet({ maxVms: 10, maxVCpus: 40 })])
      .when(setQuota(bob, 3, { maxStorageGb: 1_000_000 }))
      .then([quotaSet({ maxStorageGb: 1_000_000 })]);
    const state = fold(projectDecider, [...projectCreated(), quotaSet({ maxVms: 10 })]);
    expect(state.status !== 'NONE' && state.quota).toEqual({ ...NO_QUOTA, maxVms: 10 });
    expect(state.version).toBe(3);
  });

  it('the same limits again write nothing', () => {
    given([...projectCreated(), quotaSet({ maxVms: 10 })]).when(setQuota(bob, 3, { maxVms: 10, maxVCpus: null })).thenNothingHappens();
  });

  it('a user (even the project admin) is FORBIDDEN, before the values are looked at', () => {
    given(projectCreated(alice)).when(setQuota(alice, 2, { maxVms: -1 })).thenRefused({ code: 'FORBIDDEN' });
  });

  it('a project that does not exist is NOT_FOUND', () => {
    given([]).when(setQuota(bob, 0, { maxVms: 1 })).thenRefused({ code: 'NOT_FOUND' });
  });

  it.each([-1, 1_000_001, 1.5, Number.NaN])('the limit %d is refused on its field', (value) => {
    given(projectCreated()).when(setQuota(bob, 2, { maxVCpus: value })).thenRefused({ code: 'VALIDATION', field: 'maxVCpus' });
  });

  it('names every invalid limit at once', () => {
    const refused = given(projectCreated()).when(setQuota(bob, 2, { maxVms: -5, maxRamGb: 2_000_000, maxStorageGb: 7 })).thenRefused({ code: 'VALIDATION' });
    expect(!refused.ok && refused.error.code === 'VALIDATION' && refused.error.fields.map((f) => f.field)).toEqual(['maxVms', 'maxRamGb']);
  });

  it('a stale expectedVersion is a conflict with the actual version', () => {
    given(projectCreated()).when(setQuota(bob, 1, { maxVms: 3 })).thenRefused({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 1, actualVersion: 2 });
  });
});

describe('checkQuota', () => {
  const m = quotaAmountsOf('M');

  it('a size counts as one VM with its vCPUs, memory and disk', () => {
    expect(quotaAmountsOf('XL')).toEqual({ vms: 1, vcpus: 16, ramGb: 32, storageGb: 500 });
  });

  it('no limits: anything fits', () => {
    expect(checkQuota(NO_QUOTA, { vms: 1e6, vcpus: 1e6, ramGb: 1e6, storageGb: 1e6 }, m)).toBeNull();
  });

  it('up to the limit fits; one more is refused with limit, used and requested', () => {
    const limits = { ...NO_QUOTA, maxVms: 3 };
    expect(checkQuota(limits, { vms: 2, vcpus: 8, ramGb: 16, storageGb: 200 }, m)).toBeNull();
    expect(checkQuota(limits, { vms: 3, vcpus: 12, ramGb: 24, storageGb: 300 }, m)).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'VMS',
      limit: 3,
      used: 3,
      requested: 1,
    });
  });

  it.each([
    ['VCPUS', { maxVCpus: 11 }, 8, 4],
    ['RAM_GB', { maxRamGb: 23 }, 16, 8],
    ['STORAGE_GB', { maxStorageGb: 299 }, 200, 100],
  ] as const)('%s is checked against its own limit', (resource, limits, used, requested) => {
    const usedAmounts = { vms: 2, vcpus: 8, ramGb: 16, storageGb: 200 };
    expect(checkQuota({ ...NO_QUOTA, ...limits }, usedAmounts, m)).toMatchObject({ code: 'QUOTA_EXCEEDED', resource, used, requested });
  });

  it('the first resource exceeded is named, in the order VMS, VCPUS, RAM_GB, STORAGE_GB', () => {
    const limits = { maxVms: 0, maxVCpus: 0, maxRamGb: 0, maxStorageGb: 0 };
    expect(checkQuota(limits, { vms: 0, vcpus: 0, ramGb: 0, storageGb: 0 }, m)).toMatchObject({ resource: 'VMS' });
    expect(checkQuota({ ...limits, maxVms: null }, { vms: 0, vcpus: 0, ramGb: 0, storageGb: 0 }, m)).toMatchObject({ resource: 'VCPUS' });
  });

  it('a limit lowered below what is used refuses even the smallest request', () => {
    expect(checkQuota({ ...NO_QUOTA, maxVms: 2 }, { vms: 5, vcpus: 0, ramGb: 0, storageGb: 0 }, quotaAmountsOf('S'))).toMatchObject({
      resource: 'VMS',
      limit: 2,
      used: 5,
    });
  });
});
