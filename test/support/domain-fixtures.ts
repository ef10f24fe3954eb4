import type {
  Principal,
  ProjectEvent,
  ProjectFacts,
  VmRequestCommand,
  VmRequestEvent,
} from '../../src/domain/index.ts';
import { alice, bob } from './personas.ts';

export const PROJECT_ID = '6f1d9a3e-8a61-4d0e-9a55-3c2b1f0e7d11';
export const activeMember: ProjectFacts = { status: 'ACTIVE', isMember: true };

export const create = (overrides: Partial<Extract<VmRequestCommand, { type: 'CreateVmRequest' }>['data']> = {}): VmRequestCommand => ({
  type: 'CreateVmRequest',
  data: {
    actor: alice,
    projectId: PROJECT_ID,
    project: activeMember,
    vmName: 'web-01',
    size: 'M',
    justification: 'Staging server for the shop',
    ...overrides,
  },
});

export const created = (requester: Principal = alice): VmRequestEvent => ({
  type: 'VmRequestCreated',
  data: {
    projectId: PROJECT_ID,
    vmName: 'web-01',
    size: 'M',
    justification: 'Staging server for the shop',
    requester: { id: requester.userId, email: requester.email ?? null, name: requester.name ?? null },
  },
});

export const approved = (by: Principal = bob): VmRequestEvent => ({ type: 'VmRequestApproved', data: { approvedBy: by.userId } });
export const rejected = (by: Principal = bob, reason = 'Too large for staging'): VmRequestEvent => ({
  type: 'VmRequestRejected',
  data: { rejectedBy: by.userId, reason },
});
export const cancelled = (reason?: string): VmRequestEvent => ({
  type: 'VmRequestCancelled',
  data: reason === undefined ? {} : { reason },
});
export const started: VmRequestEvent = { type: 'VmRequestProvisioningStarted', data: {} };
export const progressed = (stage: 'CLONING' | 'CONFIGURING' | 'POWERING_ON' | 'WAITING_FOR_NETWORK'): VmRequestEvent => ({
  type: 'VmProvisioningProgressed',
  data: { stage },
});
export const allStages: VmRequestEvent[] = [
  progressed('CLONING'),
  progressed('CONFIGURING'),
  progressed('POWERING_ON'),
  progressed('WAITING_FOR_NETWORK'),
];
export const ready: VmRequestEvent = {
  type: 'VmRequestReady',
  data: { vmwareVmId: 'vm-1042', hostname: 'web-01.acme.internal', ipAddress: '10.0.0.42' },
};
export const failed: VmRequestEvent = {
  type: 'VmRequestProvisioningFailed',
  data: { errorCode: 'CONNECTION_TIMEOUT', errorMessage: 'vCenter did not answer', attempts: 5 },
};

/** A history that leaves the request in each status (requested by alice, decided by bob). */
export const historyFor = {
  PENDING: [created()],
  APPROVED: [created(), approved()],
  REJECTED: [created(), rejected()],
  CANCELLED: [created(), cancelled()],
  PROVISIONING: [created(), approved(), started],
  READY: [created(), approved(), started, ...allStages, ready],
  FAILED: [created(), approved(), started, progressed('CLONING'), failed],
} as const satisfies Record<string, VmRequestEvent[]>;

export const projectCreated = (by: Principal = bob, name = 'Webshop'): ProjectEvent[] => [
  { type: 'ProjectCreated', data: { name, createdBy: by.userId } },
  { type: 'MemberAdded', data: { userId: by.userId, role: 'PROJECT_ADMIN' } },
];
export const memberAdded = (userId: string, role: 'MEMBER' | 'PROJECT_ADMIN' = 'MEMBER'): ProjectEvent => ({
  type: 'MemberAdded',
  data: { userId, role },
});
export const memberRemoved = (userId: string): ProjectEvent => ({ type: 'MemberRemoved', data: { userId } });
export const archived: ProjectEvent = { type: 'ProjectArchived', data: {} };
export const unarchived: ProjectEvent = { type: 'ProjectUnarchived', data: {} };
