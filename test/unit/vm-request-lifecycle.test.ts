import { describe, expect, it } from 'vitest';
import {
  fold,
  type Principal,
  vmRequestDecider,
  type VmRequest,
  type VmRequestCommand,
  type VmRequestEvent,
} from '../../src/domain/index.ts';
import { deciderSpecification } from '../support/decider-spec.ts';
import { historyFor } from '../support/domain-fixtures.ts';
import { alice, bob, dave } from '../support/personas.ts';

const given = deciderSpecification(vmRequestDecider);

const facts = (actor: Principal, more: { actorIsProjectAdmin?: boolean; expectedVersion?: number } = {}) => ({
  actor,
  actorIsProjectAdmin: more.actorIsProjectAdmin ?? false,
  ...(more.expectedVersion === undefined ? {} : { expectedVersion: more.expectedVersion }),
});
const powerOff = (actor: Principal = alice, more = {}): VmRequestCommand => ({ type: 'RequestPowerOff', data: facts(actor, more) });
const powerOn = (actor: Principal = alice, more = {}): VmRequestCommand => ({ type: 'RequestPowerOn', data: facts(actor, more) });
const decommission = (actor: Principal = alice, more: { reason?: string | null; expectedVersion?: number; actorIsProjectAdmin?: boolean } = {}): VmRequestCommand => ({
  type: 'RequestDecommission',
  data: { ...facts(actor, more), reason: more.reason },
});
const complete = (operation: string): VmRequestCommand => ({ type: 'CompleteVmOperation', data: { operation } });
const failOp = (operation: string, attempts = 3): VmRequestCommand => ({
  type: 'FailVmOperation',
  data: { operation, errorCode: 'CONNECTION_TIMEOUT', errorMessage: 'vCenter did not answer', attempts },
});
const observe = (powerState: string, expectedVersion?: number): VmRequestCommand => ({
  type: 'ObserveVmPowerState',
  data: { powerState, ...(expectedVersion === undefined ? {} : { expectedVersion }) },
});
const observeDeleted = (expectedVersion?: number): VmRequestCommand => ({
  type: 'ObserveVmDeleted',
  data: expectedVersion === undefined ? {} : { expectedVersion },
});

const offRequested = (by = alice): VmRequestEvent => ({ type: 'VmPowerOffRequested', data: { requestedBy: by.userId } });
const onRequested = (by = alice): VmRequestEvent => ({ type: 'VmPowerOnRequested', data: { requestedBy: by.userId } });
const decommissionRequested = (by = alice, reason?: string): VmRequestEvent => ({
  type: 'VmDecommissionRequested',
  data: { requestedBy: by.userId, ...(reason === undefined ? {} : { reason }) },
});
const poweredOff: VmRequestEvent = { type: 'VmPoweredOff', data: {} };
const poweredOn: VmRequestEvent = { type: 'VmPoweredOn', data: {} };
const decommissioned: VmRequestEvent = { type: 'VmDecommissioned', data: {} };
const deletionObserved: VmRequestEvent = { type: 'VmDeletionObserved', data: {} };
const observed = (powerState: 'ON' | 'OFF' | 'UNKNOWN'): VmRequestEvent => ({ type: 'VmPowerStateObserved', data: { powerState } });

const READY = historyFor.READY;
const OFF = [...READY, offRequested(), poweredOff];
const UNKNOWN = [...READY, observed('UNKNOWN')];
const DECOMMISSIONED = [...READY, decommissionRequested(), decommissioned];
const BEFORE_READY = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'PROVISIONING', 'FAILED'] as const;
const mallory = { ...dave, userId: 'mallory' };

const stateOf = (history: readonly VmRequestEvent[]) => fold(vmRequestDecider, history) as VmRequest;

describe('state after READY', () => {
  it('READY sets the power ON with nothing pending; before READY there is no power state', () => {
    expect(stateOf(READY)).toMatchObject({ status: 'READY', powerState: 'ON', pendingOperation: null });
    expect(stateOf(historyFor.PROVISIONING)).toMatchObject({ powerState: null, pendingOperation: null });
  });
  it('a request sets the pending operation, its completion the power state', () => {
    expect(stateOf([...READY, offRequested()])).toMatchObject({ pendingOperation: 'POWER_OFF', powerState: 'ON' });
    expect(stateOf(OFF)).toMatchObject({ pendingOperation: null, powerState: 'OFF' });
    expect(stateOf([...OFF, onRequested(), poweredOn])).toMatchObject({ pendingOperation: null, powerState: 'ON' });
  });
  it('a failure clears the pending operation, keeps the power state and records the error until a success', () => {
    const failed: VmRequestEvent = {
      type: 'VmOperationFailed',
      data: { operation: 'POWER_OFF', errorCode: 'UNKNOWN', errorMessage: 'boom', attempts: 1 },
    };
    expect(stateOf([...READY, offRequested(), failed])).toMatchObject({
      status: 'READY',
      pendingOperation: null,
      powerState: 'ON',
      lastOperationError: { operation: 'POWER_OFF', errorCode: 'UNKNOWN', errorMessage: 'boom', attempts: 1 },
    });
    expect(stateOf([...READY, offRequested(), failed, offRequested(), poweredOff]).lastOperationError).toBeNull();
  });
  it('decommissioned or observed deleted: DECOMMISSIONED, no power state, nothing pending', () => {
    for (const history of [DECOMMISSIONED, [...READY, deletionObserved]]) {
      expect(stateOf(history)).toMatchObject({ status: 'DECOMMISSIONED', powerState: null, pendingOperation: null });
    }
  });
  it('an observation sets the power state', () => {
    expect(stateOf([...READY, observed('OFF')]).powerState).toBe('OFF');
  });
});

describe('RequestPowerOff', () => {
  it('the requester, a tenant admin or a project admin may power off a VM that is on or unknown', () => {
    given(READY).when(powerOff(alice)).then([offRequested(alice)]);
    given(READY).when(powerOff(bob)).then([offRequested(bob)]);
    given(UNKNOWN).when(powerOff(mallory, { actorIsProjectAdmin: true })).then([offRequested(mallory)]);
  });
  it('anyone else is FORBIDDEN', () => {
    given(READY)
      .when(powerOff(mallory))
      .thenRefused({ code: 'FORBIDDEN', message: 'Only the requester, a tenant admin or an admin of the project can power off this VM' });
  });
  it('a VM that is already off is refused', () => {
    given(OFF).when(powerOff()).thenRefused({ code: 'INVALID_STATE', currentStatus: 'READY', message: 'Cannot power off: the VM is already off' });
  });
  it('refused while another operation is pending, naming it', () => {
    given([...READY, offRequested()]).when(powerOff()).thenRefused({ code: 'INVALID_STATE', message: 'Cannot power off: a power-off is in progress' });
    given([...OFF, onRequested()]).when(powerOff()).thenRefused({ code: 'INVALID_STATE', message: 'Cannot power off: a power-on is in progress' });
    given([...READY, decommissionRequested()])
      .when(powerOff())
      .thenRefused({ code: 'INVALID_STATE', message: 'Cannot power off: the VM is being decommissioned' });
  });
  it.each(BEFORE_READY)('is refused in %s', (status) => {
    given(historyFor[status]).when(powerOff()).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
  });
  it('is refused once DECOMMISSIONED', () => {
    given(DECOMMISSIONED)
      .when(powerOff())
      .thenRefused({ code: 'INVALID_STATE', currentStatus: 'DECOMMISSIONED', message: 'Cannot power off: the VM was decommissioned' });
  });
  it('a stale expectedVersion is a conflict; the current one is accepted', () => {
    given(READY).when(powerOff(alice, { expectedVersion: 3 })).thenRefused({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 3, actualVersion: READY.length });
    given(READY).when(powerOff(alice, { expectedVersion: READY.length })).then([offRequested()]);
  });
  it('a missing request is NOT_FOUND', () => {
    given([]).when(powerOff()).thenRefused({ code: 'NOT_FOUND' });
  });
});

describe('RequestPowerOn', () => {
  it('powers on a VM that is off or unknown', () => {
    given(OFF).when(powerOn()).then([onRequested()]);
    given(UNKNOWN).when(powerOn(bob)).then([onRequested(bob)]);
  });
  it('a VM that is already on is refused', () => {
    given(READY).when(powerOn()).thenRefused({ code: 'INVALID_STATE', message: 'Cannot power on: the VM is already on' });
  });
  it('refused while an operation is pending, and for anyone else', () => {
    given([...OFF, onRequested()]).when(powerOn()).thenRefused({ code: 'INVALID_STATE', message: 'Cannot power on: a power-on is in progress' });
    given(OFF).when(powerOn(mallory)).thenRefused({ code: 'FORBIDDEN' });
  });
  it.each(BEFORE_READY)('is refused in %s', (status) => {
    given(historyFor[status]).when(powerOn()).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
  });
});

describe('RequestDecommission', () => {
  it('decommissions a READY VM, on or off, with an optional trimmed reason', () => {
    given(READY).when(decommission(alice, { reason: '  no longer needed ' })).then([decommissionRequested(alice, 'no longer needed')]);
    given(OFF).when(decommission(bob, { reason: '   ' })).then([decommissionRequested(bob)]);
    given(READY).when(decommission(mallory, { actorIsProjectAdmin: true })).then([decommissionRequested(mallory)]);
  });
  it('supersedes a pending power operation', () => {
    given([...READY, offRequested()]).when(decommission()).then([decommissionRequested()]);
    expect(stateOf([...READY, offRequested(), decommissionRequested()]).pendingOperation).toBe('DECOMMISSION');
  });
  it('is refused when a decommission is already pending or done', () => {
    given([...READY, decommissionRequested()])
      .when(decommission())
      .thenRefused({ code: 'INVALID_STATE', message: 'Cannot decommission: the VM is already being decommissioned' });
    given(DECOMMISSIONED).when(decommission()).thenRefused({ code: 'INVALID_STATE', currentStatus: 'DECOMMISSIONED' });
  });
  it('a reason over 500 characters is a validation error on reason', () => {
    given(READY).when(decommission(alice, { reason: 'x'.repeat(501) })).thenRefused({ code: 'VALIDATION', field: 'reason' });
  });
  it('anyone else is FORBIDDEN; a stale version a conflict', () => {
    given(READY).when(decommission(mallory)).thenRefused({ code: 'FORBIDDEN' });
    given(READY).when(decommission(alice, { expectedVersion: 1 })).thenRefused({ code: 'CONCURRENCY_CONFLICT' });
  });
  it.each(BEFORE_READY)('is refused in %s', (status) => {
    given(historyFor[status]).when(decommission()).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
  });
});

describe('CompleteVmOperation', () => {
  it('completes the pending operation', () => {
    given([...READY, offRequested()]).when(complete('POWER_OFF')).then([poweredOff]);
    given([...OFF, onRequested()]).when(complete('POWER_ON')).then([poweredOn]);
    given([...READY, decommissionRequested()]).when(complete('DECOMMISSION')).then([decommissioned]);
  });
  it('a superseded or absent operation is refused', () => {
    given([...READY, offRequested(), decommissionRequested()])
      .when(complete('POWER_OFF'))
      .thenRefused({ code: 'INVALID_STATE', message: 'No power off to report: the VM is being decommissioned' });
    given(READY).when(complete('POWER_ON')).thenRefused({ code: 'INVALID_STATE', message: 'No power on to report: nothing is pending' });
    given(DECOMMISSIONED).when(complete('DECOMMISSION')).thenRefused({ code: 'INVALID_STATE', currentStatus: 'DECOMMISSIONED' });
  });
  it('an unknown operation is a validation error', () => {
    given([...READY, offRequested()]).when(complete('REBOOT')).thenRefused({ code: 'VALIDATION', field: 'operation' });
  });
});

describe('FailVmOperation', () => {
  it('records the failure of the pending operation', () => {
    given([...READY, decommissionRequested()])
      .when(failOp('DECOMMISSION', 5))
      .then([
        {
          type: 'VmOperationFailed',
          data: { operation: 'DECOMMISSION', errorCode: 'CONNECTION_TIMEOUT', errorMessage: 'vCenter did not answer', attempts: 5 },
        },
      ]);
  });
  it('refuses another operation than the pending one, and bad attempts', () => {
    given([...READY, offRequested()]).when(failOp('POWER_ON')).thenRefused({ code: 'INVALID_STATE' });
    given([...READY, offRequested()]).when(failOp('POWER_OFF', 0)).thenRefused({ code: 'VALIDATION', field: 'attempts' });
  });
});

describe('ObserveVmPowerState', () => {
  it('records a power state that differs from the recorded one', () => {
    given(READY).when(observe('OFF')).then([observed('OFF')]);
    given(OFF).when(observe('ON', OFF.length)).then([observed('ON')]);
  });
  it('the same state again records nothing', () => {
    given(READY).when(observe('ON')).thenNothingHappens();
  });
  it('is refused while an operation is pending, on a stale version, before READY and for a bad value', () => {
    given([...READY, offRequested()])
      .when(observe('OFF'))
      .thenRefused({ code: 'INVALID_STATE', message: 'Cannot record an observed power state while a power-off is in progress' });
    given(READY).when(observe('OFF', 2)).thenRefused({ code: 'CONCURRENCY_CONFLICT' });
    given(historyFor.PROVISIONING).when(observe('OFF')).thenRefused({ code: 'INVALID_STATE', currentStatus: 'PROVISIONING' });
    given(READY).when(observe('SUSPENDED')).thenRefused({ code: 'VALIDATION', field: 'powerState' });
  });
});

describe('ObserveVmDeleted', () => {
  it('records the deletion of an idle READY VM', () => {
    given(READY).when(observeDeleted()).then([deletionObserved]);
    given(OFF).when(observeDeleted(OFF.length)).then([deletionObserved]);
  });
  it('a request already DECOMMISSIONED records nothing', () => {
    given(DECOMMISSIONED).when(observeDeleted()).thenNothingHappens();
    given([...READY, deletionObserved]).when(observeDeleted(READY.length)).thenNothingHappens();
  });
  it('is refused while an operation is pending, on a stale version, and before READY', () => {
    given([...READY, decommissionRequested()])
      .when(observeDeleted())
      .thenRefused({ code: 'INVALID_STATE', message: 'Cannot record a deletion while the VM is being decommissioned' });
    given(READY).when(observeDeleted(1)).thenRefused({ code: 'CONCURRENCY_CONFLICT' });
    given(historyFor.FAILED).when(observeDeleted()).thenRefused({ code: 'INVALID_STATE', currentStatus: 'FAILED' });
  });
});
