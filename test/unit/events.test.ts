import { describe, expect, it } from 'vitest';
import { eventSchemaVersions, isEventType, toDomainEvent, upcast } from '../../src/domain/index.ts';
import { created } from '../support/domain-fixtures.ts';

describe('event schema versions', () => {
  it('every event type of every aggregate has a schema version', () => {
    expect(Object.keys(eventSchemaVersions).sort()).toEqual(
      [
        'MemberAdded',
        'MemberRemoved',
        'ProjectArchived',
        'ProjectCreated',
        'ProjectQuotaSet',
        'ProjectUnarchived',
        'VmProvisioningProgressed',
        'VmProvisioningRetryScheduled',
        'VmRequestApproved',
        'VmRequestCancelled',
        'VmRequestCreated',
        'VmRequestProvisioningFailed',
        'VmRequestProvisioningStarted',
        'VmRequestReady',
        'VmRequestRejected',
        'VmPowerOffRequested',
        'VmPowerOnRequested',
        'VmDecommissionRequested',
        'VmPoweredOff',
        'VmPoweredOn',
        'VmOperationFailed',
        'VmDecommissioned',
        'VmPowerStateObserved',
        'VmDeletionObserved',
        'VmwareConnectionChanged',
        'VmwareConnectionRemoved',
      ].sort(),
    );
    for (const version of Object.values(eventSchemaVersions)) expect(version).toBeGreaterThanOrEqual(1);
  });

  it('upcasting a current payload returns it unchanged', () => {
    const event = created();
    expect(upcast(event.type, eventSchemaVersions[event.type], event.data)).toEqual(event.data);
    expect(toDomainEvent(event.type, 1, event.data)).toEqual(event);
  });

  it('refuses unknown types and versions newer than the code', () => {
    expect(isEventType('Nonsense')).toBe(false);
    expect(() => toDomainEvent('Nonsense', 1, {})).toThrow(/Unknown event type/);
    expect(() => upcast('VmRequestApproved', 99, {})).toThrow(/schema version 99/);
  });
});
