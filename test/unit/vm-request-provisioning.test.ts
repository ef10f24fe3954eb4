import { describe, expect, it } from 'vitest';
import {
  fold,
  NO_IP_WARNING,
  PROVISIONING_STAGES,
  vmRequestDecider,
  type VmRequestCommand,
  type VmRequestEvent,
  type VmRequestState,
} from '../../src/domain/index.ts';
import { deciderSpecification } from '../support/decider-spec.ts';
import { PROJECT_ID, allStages, approved, created, failed, historyFor, progressed, ready, started } from '../support/domain-fixtures.ts';
import { alice, bob } from '../support/personas.ts';

const given = deciderSpecification(vmRequestDecider);

const start: VmRequestCommand = { type: 'StartProvisioning', data: {} };
const report = (stage: string): VmRequestCommand => ({ type: 'ReportProvisioningProgress', data: { stage } });
const complete = (data: Extract<VmRequestCommand, { type: 'CompleteProvisioning' }>['data']): VmRequestCommand => ({
  type: 'CompleteProvisioning',
  data,
});
const failWith = (attempts = 5): VmRequestCommand => ({
  type: 'FailProvisioning',
  data: { errorCode: 'CONNECTION_TIMEOUT', errorMessage: 'vCenter did not answer', attempts },
});

describe('StartProvisioning', () => {
  it('an APPROVED request starts provisioning', () => {
    given(historyFor.APPROVED).when(start).then([started]);
  });
  it.each(['PENDING', 'REJECTED', 'CANCELLED', 'PROVISIONING', 'READY', 'FAILED'] as const)(
    'is refused in %s',
    (status) => {
      given(historyFor[status]).when(start).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
    },
  );
  it('a request that does not exist is NOT_FOUND', () => {
    given([]).when(start).thenRefused({ code: 'NOT_FOUND' });
  });
});

describe('ReportProvisioningProgress', () => {
  const provisioning = historyFor.PROVISIONING;

  it('stages are reported strictly in order', () => {
    const history = [...provisioning];
    for (const stage of PROVISIONING_STAGES) {
      given(history).when(report(stage)).then([progressed(stage)]);
      history.push(progressed(stage));
    }
  });

  it('a stage out of order is refused', () => {
    given(provisioning).when(report('CONFIGURING')).thenRefused({ code: 'INVALID_STATE', currentStatus: 'PROVISIONING' });
    given([...provisioning, progressed('CLONING')])
      .when(report('POWERING_ON'))
      .thenRefused({ code: 'INVALID_STATE', message: expect.stringContaining('CONFIGURING') });
  });

  it('a stage cannot be repeated or go back', () => {
    given([...provisioning, progressed('CLONING')]).when(report('CLONING')).thenRefused({ code: 'INVALID_STATE' });
    given([...provisioning, progressed('CLONING'), progressed('CONFIGURING')])
      .when(report('CLONING'))
      .thenRefused({ code: 'INVALID_STATE' });
  });

  it('nothing follows the last stage', () => {
    given([...provisioning, ...allStages]).when(report('CLONING')).thenRefused({ code: 'INVALID_STATE' });
  });

  it('an unknown stage is a validation error on field stage', () => {
    given(provisioning).when(report('BOOTING')).thenRefused({ code: 'VALIDATION', field: 'stage' });
  });

  it.each(['PENDING', 'APPROVED', 'READY', 'FAILED'] as const)('is refused in %s', (status) => {
    given(historyFor[status]).when(report('CLONING')).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
  });
});

describe('CompleteProvisioning', () => {
  const afterNetworkWait = [...historyFor.PROVISIONING, ...allStages];

  it('makes the request READY with its VM id, hostname and IP', () => {
    given(afterNetworkWait)
      .when(complete({ vmwareVmId: 'vm-1042', hostname: 'web-01.acme.internal', ipAddress: '10.0.0.42' }))
      .then([ready]);
  });

  it('no IP after the network wait is a warning, not a failure', () => {
    given(afterNetworkWait)
      .when(complete({ vmwareVmId: 'vm-1042', hostname: 'web-01.acme.internal', ipAddress: null }))
      .then([
        { type: 'VmRequestReady', data: { vmwareVmId: 'vm-1042', hostname: 'web-01.acme.internal', warning: NO_IP_WARNING } },
      ]);
  });

  it('keeps a warning the adapter gave', () => {
    given(afterNetworkWait)
      .when(complete({ vmwareVmId: 'vm-1', hostname: 'h', ipAddress: '10.0.0.1', warning: 'Tools outdated' }))
      .then([{ type: 'VmRequestReady', data: { vmwareVmId: 'vm-1', hostname: 'h', ipAddress: '10.0.0.1', warning: 'Tools outdated' } }]);
  });

  it('needs a VM id and a hostname', () => {
    given(afterNetworkWait).when(complete({ vmwareVmId: ' ', hostname: 'h' })).thenRefused({
      code: 'VALIDATION',
      field: 'vmwareVmId',
    });
    given(afterNetworkWait).when(complete({ vmwareVmId: 'vm-1', hostname: '' })).thenRefused({
      code: 'VALIDATION',
      field: 'hostname',
    });
  });

  it.each(['PENDING', 'APPROVED', 'CANCELLED', 'READY', 'FAILED'] as const)('is refused in %s', (status) => {
    given(historyFor[status])
      .when(complete({ vmwareVmId: 'vm-1', hostname: 'h' }))
      .thenRefused({ code: 'INVALID_STATE', currentStatus: status });
  });
});

describe('FailProvisioning', () => {
  it('makes a PROVISIONING request FAILED with the error and attempt count', () => {
    given([...historyFor.PROVISIONING, progressed('CLONING')]).when(failWith(5)).then([failed]);
  });

  it('needs at least one attempt', () => {
    given(historyFor.PROVISIONING).when(failWith(0)).thenRefused({ code: 'VALIDATION', field: 'attempts' });
    given(historyFor.PROVISIONING).when(failWith(1.5)).thenRefused({ code: 'VALIDATION', field: 'attempts' });
  });

  it.each(['PENDING', 'APPROVED', 'REJECTED', 'READY', 'FAILED'] as const)('is refused in %s', (status) => {
    given(historyFor[status]).when(failWith()).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
  });
});

const RETRY_AT = '2030-01-02T03:04:05.000Z';
const retry = (data: Partial<Extract<VmRequestCommand, { type: 'ScheduleProvisioningRetry' }>['data']> = {}): VmRequestCommand => ({
  type: 'ScheduleProvisioningRetry',
  data: { failedAttempt: 1, errorCode: 'CONNECTION_FAILED', errorMessage: 'vCenter refused the connection', retryAt: RETRY_AT, ...data },
});
const retryScheduled = (failedAttempt: number): VmRequestEvent => ({
  type: 'VmProvisioningRetryScheduled',
  data: { failedAttempt, errorCode: 'CONNECTION_FAILED', errorMessage: 'vCenter refused the connection', retryAt: RETRY_AT },
});

describe('ScheduleProvisioningRetry', () => {
  it('records the failed attempt, its error and when the next one starts; the stage is over', () => {
    given([...historyFor.PROVISIONING, progressed('CLONING')]).when(retry()).then([retryScheduled(1)]);
    given([...historyFor.PROVISIONING, progressed('CLONING'), retryScheduled(1)]).thenState(
      expect.objectContaining({ status: 'PROVISIONING', provisioningStage: null, provisioningAttempt: 2, nextRetryAt: RETRY_AT }),
    );
  });

  it('the next attempt reports its stages from the first again, and its first stage ends the backoff', () => {
    const history = [...historyFor.PROVISIONING, progressed('CLONING'), progressed('CONFIGURING'), retryScheduled(1)];
    given(history).when(report('CLONING')).then([progressed('CLONING')]);
    given(history).when(report('POWERING_ON')).thenRefused({ code: 'INVALID_STATE' });
    given([...history, progressed('CLONING')]).thenState(
      expect.objectContaining({ provisioningStage: 'CLONING', provisioningAttempt: 2, nextRetryAt: null }),
    );
  });

  it('a time is normalised to UTC ISO 8601; anything else is a validation error on retryAt', () => {
    given(historyFor.PROVISIONING).when(retry({ retryAt: '2030-01-02T04:04:05+01:00' })).then([retryScheduled(1)]);
    given(historyFor.PROVISIONING).when(retry({ retryAt: 'soon' })).thenRefused({ code: 'VALIDATION', field: 'retryAt' });
  });

  it('needs an error and a whole attempt number of at least 1', () => {
    given(historyFor.PROVISIONING).when(retry({ errorCode: ' ' })).thenRefused({ code: 'VALIDATION', field: 'errorCode' });
    given(historyFor.PROVISIONING).when(retry({ errorMessage: '' })).thenRefused({ code: 'VALIDATION', field: 'errorMessage' });
    given(historyFor.PROVISIONING).when(retry({ failedAttempt: 0 })).thenRefused({ code: 'VALIDATION', field: 'failedAttempt' });
    given(historyFor.PROVISIONING).when(retry({ failedAttempt: 1.5 })).thenRefused({ code: 'VALIDATION', field: 'failedAttempt' });
  });

  it('an attempt the request has moved past is refused; a later one (the job counts further) is taken', () => {
    const atTwo = [...historyFor.PROVISIONING, retryScheduled(1)];
    given(atTwo).when(retry({ failedAttempt: 1 })).thenRefused({ code: 'INVALID_STATE', currentStatus: 'PROVISIONING' });
    given(historyFor.PROVISIONING).when(retry({ failedAttempt: 3 })).then([retryScheduled(3)]);
  });
});

describe('the full transition table', () => {
  // Every command, issued by someone allowed to issue it, in every status: allowed exactly where domain.md's table
  // says so, and INVALID_STATE naming the status everywhere else.
  const commandsFor = (version: number): Record<string, VmRequestCommand> => ({
    cancel: { type: 'CancelVmRequest', data: { actor: alice } },
    approve: { type: 'ApproveVmRequest', data: { actor: bob, expectedVersion: version } },
    reject: { type: 'RejectVmRequest', data: { actor: bob, expectedVersion: version, reason: 'Not needed after all' } },
    start,
    progress: report('CLONING'),
    complete: complete({ vmwareVmId: 'vm-1', hostname: 'h', ipAddress: '10.0.0.1' }),
    retry: retry(),
    fail: failWith(1),
  });
  const allowed: Record<keyof typeof historyFor, string[]> = {
    PENDING: ['cancel', 'approve', 'reject'],
    APPROVED: ['start'],
    REJECTED: [],
    CANCELLED: ['cancel'],
    PROVISIONING: ['progress', 'complete', 'retry', 'fail'],
    READY: [],
    FAILED: [],
  };

  it.each(Object.keys(historyFor) as (keyof typeof historyFor)[])('in %s', (status) => {
    const history = historyFor[status];
    const state = fold(vmRequestDecider, history);
    expect(state.status).toBe(status);
    for (const [name, command] of Object.entries(commandsFor(history.length))) {
      const result = vmRequestDecider.decide(command, state);
      if (allowed[status].includes(name)) {
        expect(result.ok, `${name} in ${status}`).toBe(true);
      } else {
        expect(result, `${name} in ${status}`).toMatchObject({
          ok: false,
          error: { code: 'INVALID_STATE', currentStatus: status, message: expect.stringContaining(status) },
        });
      }
    }
  });
});

describe('rebuilding from full histories', () => {
  const common = {
    projectId: PROJECT_ID,
    vmName: 'web-01',
    size: 'M',
    justification: 'Staging server for the shop',
    requester: { id: 'alice', email: 'alice@acme.test', name: 'Alice' },
    decidedBy: 'bob',
    rejectionReason: null,
    cancellationReason: null,
  } as const;

  it('READY', () => {
    const expected: VmRequestState = {
      ...common,
      status: 'READY',
      version: 8,
      provisioningStage: null,
      provisioningAttempt: 1,
      nextRetryAt: null,
      vmwareVmId: 'vm-1042',
      hostname: 'web-01.acme.internal',
      ipAddress: '10.0.0.42',
      warning: null,
      failure: null,
      powerState: 'ON',
      pendingOperation: null,
      lastOperationError: null,
    };
    given([created(alice), approved(bob), started, ...allStages, ready]).thenState(expected);
  });

  it('FAILED', () => {
    const expected: VmRequestState = {
      ...common,
      status: 'FAILED',
      version: 5,
      provisioningStage: null,
      provisioningAttempt: 5,
      nextRetryAt: null,
      vmwareVmId: null,
      hostname: null,
      ipAddress: null,
      warning: null,
      failure: { errorCode: 'CONNECTION_TIMEOUT', errorMessage: 'vCenter did not answer', attempts: 5 },

      powerState: null,
      pendingOperation: null,
      lastOperationError: null,
    };
    given([created(alice), approved(bob), started, progressed('CLONING'), failed]).thenState(expected);
  });

  it('READY without an IP keeps the warning', () => {
    const readyWithoutIp: VmRequestEvent = {
      type: 'VmRequestReady',
      data: { vmwareVmId: 'vm-1', hostname: 'h', warning: NO_IP_WARNING },
    };
    const state = fold(vmRequestDecider, [...historyFor.PROVISIONING, readyWithoutIp]);
    expect(state).toMatchObject({ status: 'READY', ipAddress: null, warning: NO_IP_WARNING });
  });
});
