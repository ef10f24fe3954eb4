import { describe, expect, it } from 'vitest';
import { fold, vmRequestDecider, type Principal, type VmRequestCommand } from '../../src/domain/index.ts';
import { deciderSpecification } from '../support/decider-spec.ts';
import { PROJECT_ID, approved, cancelled, create, created, historyFor, rejected } from '../support/domain-fixtures.ts';
import { alice, bob, carol, dave } from '../support/personas.ts';

const given = deciderSpecification(vmRequestDecider);

const cancel = (actor: Principal = alice, reason?: string | null): VmRequestCommand => ({
  type: 'CancelVmRequest',
  data: { actor, reason },
});
const approve = (actor: Principal, expectedVersion = 1): VmRequestCommand => ({
  type: 'ApproveVmRequest',
  data: { actor, expectedVersion },
});
const reject = (actor: Principal, reason = 'Too large for staging', expectedVersion = 1): VmRequestCommand => ({
  type: 'RejectVmRequest',
  data: { actor, expectedVersion, reason },
});

describe('CreateVmRequest', () => {
  it('a project member requests a VM: VmRequestCreated with the requester from the token', () => {
    given([]).when(create()).then([created(alice)]);
  });

  it('stores trimmed values', () => {
    given([])
      .when(create({ vmName: '  web-01 ', justification: '   Staging server for the shop  ' }))
      .then([created(alice)]);
  });

  it('an admin may request in any project, member or not', () => {
    given([])
      .when(create({ actor: bob, project: { status: 'ACTIVE', isMember: false } }))
      .then([created(bob)]);
  });

  it('a user who is not a member is refused', () => {
    given([])
      .when(create({ actor: dave, project: { status: 'ACTIVE', isMember: false } }))
      .thenRefused({ code: 'FORBIDDEN' });
  });

  it('a project that does not exist is NOT_FOUND', () => {
    given([]).when(create({ project: null })).thenRefused({ code: 'NOT_FOUND' });
  });

  it('an ARCHIVED project is refused, naming its status', () => {
    given([])
      .when(create({ project: { status: 'ARCHIVED', isMember: true } }))
      .thenRefused({ code: 'INVALID_STATE', currentStatus: 'ARCHIVED' });
    given([])
      .when(create({ actor: bob, project: { status: 'ARCHIVED', isMember: false } }))
      .thenRefused({ code: 'INVALID_STATE', currentStatus: 'ARCHIVED' });
  });

  it.each([
    ['vmName', { vmName: 'Web--01' }],
    ['vmName', { vmName: 'ab' }],
    ['size', { size: 'XXL' }],
    ['justification', { justification: ' too short ' }],
  ])('invalid input is refused on field %s', (field, overrides) => {
    given([]).when(create(overrides)).thenRefused({ code: 'VALIDATION', field });
  });

  it('every invalid value is named at once, in the order of the form', () => {
    const refused = given([]).when(create({ vmName: 'Web_01', size: 'XXL', justification: ' ' })).thenRefused({ code: 'VALIDATION', field: 'vmName' });
    expect(!refused.ok && refused.error.code === 'VALIDATION' && refused.error.fields.map((error) => error.field)).toEqual([
      'vmName',
      'size',
      'justification',
    ]);
  });

  it('the same request cannot be created twice', () => {
    given([created()]).when(create()).thenRefused({ code: 'INVALID_STATE', currentStatus: 'PENDING' });
  });

  it('the requester carries email and name, or null when the token has none', () => {
    given([])
      .when(create({ actor: dave }))
      .then([
        {
          type: 'VmRequestCreated',
          data: {
            projectId: PROJECT_ID,
            vmName: 'web-01',
            size: 'M',
            justification: 'Staging server for the shop',
            requester: { id: 'dave', email: null, name: null },
          },
        },
      ]);
  });
});

describe('CancelVmRequest', () => {
  it('the requester cancels a PENDING request, with or without a reason', () => {
    given([created()]).when(cancel(alice, 'No longer needed')).then([cancelled('No longer needed')]);
    given([created()]).when(cancel(alice)).then([cancelled()]);
    given([created()]).when(cancel(alice, '   ')).then([cancelled()]);
  });

  it('cancelling a CANCELLED request again succeeds and emits nothing', () => {
    given([created(), cancelled()]).when(cancel(alice)).thenNothingHappens();
    given([created(), cancelled('first')]).when(cancel(alice, 'second')).thenNothingHappens();
  });

  it('only the requester can cancel, not even an admin', () => {
    given([created()]).when(cancel(bob)).thenRefused({ code: 'FORBIDDEN' });
    given([created()]).when(cancel(dave)).thenRefused({ code: 'FORBIDDEN' });
  });

  it('reason: 500 characters pass, 501 are refused', () => {
    given([created()]).when(cancel(alice, 'c'.repeat(500))).then([cancelled('c'.repeat(500))]);
    given([created()]).when(cancel(alice, 'c'.repeat(501))).thenRefused({ code: 'VALIDATION', field: 'reason' });
  });

  it('a request that does not exist is NOT_FOUND', () => {
    given([]).when(cancel(alice)).thenRefused({ code: 'NOT_FOUND' });
  });
});

describe('ApproveVmRequest', () => {
  it('an admin approves a PENDING request at its current version', () => {
    given([created()]).when(approve(bob, 1)).then([approved(bob)]);
  });

  it('a user cannot approve', () => {
    given([created(alice)]).when(approve(dave)).thenRefused({ code: 'FORBIDDEN' });
  });

  it('an admin cannot approve their own request (separation of duties)', () => {
    given([created(bob)]).when(approve(bob)).thenRefused({ code: 'FORBIDDEN', message: expect.stringContaining('own') });
  });

  it('another admin can approve an admin\'s request', () => {
    given([created(bob)]).when(approve(carol)).then([approved(carol)]);
  });

  it('a stale expectedVersion is a conflict naming both versions', () => {
    given([created()]).when(approve(bob, 0)).thenRefused({
      code: 'CONCURRENCY_CONFLICT',
      expectedVersion: 0,
      actualVersion: 1,
    });
    given([created(), approved(carol)]).when(approve(bob, 1)).thenRefused({
      code: 'CONCURRENCY_CONFLICT',
      expectedVersion: 1,
      actualVersion: 2,
    });
  });

  it('a request that does not exist is NOT_FOUND', () => {
    given([]).when(approve(bob, 0)).thenRefused({ code: 'NOT_FOUND' });
  });
});

describe('RejectVmRequest', () => {
  it('an admin rejects a PENDING request with a reason', () => {
    given([created()]).when(reject(bob, 'Too large for staging')).then([rejected(bob, 'Too large for staging')]);
  });

  it('a user cannot reject; an admin cannot reject their own request', () => {
    given([created(alice)]).when(reject(dave)).thenRefused({ code: 'FORBIDDEN' });
    given([created(bob)]).when(reject(bob)).thenRefused({ code: 'FORBIDDEN', message: expect.stringContaining('own') });
  });

  it.each([
    [9, false],
    [10, true],
    [500, true],
    [501, false],
  ])('a reason of %i characters: accepted = %s', (length, accepted) => {
    const spec = given([created()]).when(reject(bob, 'r'.repeat(length)));
    if (accepted) spec.then([rejected(bob, 'r'.repeat(length))]);
    else spec.thenRefused({ code: 'VALIDATION', field: 'reason' });
  });

  it('a stale expectedVersion is a conflict', () => {
    given([created()]).when(reject(bob, 'Too large for staging', 3)).thenRefused({
      code: 'CONCURRENCY_CONFLICT',
      expectedVersion: 3,
      actualVersion: 1,
    });
  });
});

describe('every user command outside its status is INVALID_STATE, naming the status', () => {
  const statuses = ['APPROVED', 'REJECTED', 'PROVISIONING', 'READY', 'FAILED'] as const;
  it.each(statuses)('cancel, approve and reject in %s', (status) => {
    const history = historyFor[status];
    given(history).when(cancel(alice)).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
    given(history).when(approve(carol, history.length)).thenRefused({ code: 'INVALID_STATE', currentStatus: status });
    given(history).when(reject(carol, 'Not any more', history.length)).thenRefused({
      code: 'INVALID_STATE',
      currentStatus: status,
    });
  });
  it('approve and reject of a CANCELLED request', () => {
    const history = historyFor.CANCELLED;
    given(history).when(approve(bob, 2)).thenRefused({ code: 'INVALID_STATE', currentStatus: 'CANCELLED' });
    given(history).when(reject(bob, 'Not any more', 2)).thenRefused({ code: 'INVALID_STATE', currentStatus: 'CANCELLED' });
  });
});

describe('state', () => {
  it('counts every event as one version', () => {
    for (const history of Object.values(historyFor)) {
      expect(fold(vmRequestDecider, history).version).toBe(history.length);
    }
  });

  it('records who decided and why', () => {
    expect(fold(vmRequestDecider, historyFor.REJECTED)).toMatchObject({
      status: 'REJECTED',
      decidedBy: 'bob',
      rejectionReason: 'Too large for staging',
    });
    expect(fold(vmRequestDecider, [created(), cancelled('Changed plans')])).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Changed plans',
    });
  });
});
