import { vmSizeSpec } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { loadersFor } from '../read/loaders.ts';
import { globalId } from '../ids.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { AuditTrailRef } from './audit-trail.ts';
import { PowerStateEnum, ProvisioningStageEnum, VmOperationEnum, VmRequestStatusEnum, VmSizeEnum } from './enums.ts';
import { ProjectRef } from './project.ts';
import { failureCodeOf, ProvisioningFailureCodeEnum } from './provisioning-failure-code.ts';
import { DateTimeScalar } from './scalars.ts';
import { TimelineEntryRef } from './timeline-entry.ts';
import { VmOperationFailureRef } from './vm-operation-failure.ts';
import { VmSizeSpecRef } from './vm-size-spec.ts';

export const VmRequestRef = builder.objectRef<VmRequestView>('VmRequest');

// Plain, synchronous fields on purpose: one change is resolved once per subscriber, so they must stay cheap. (The
// relay plugin's own node id field is async, which makes every execution of a VmRequest asynchronous; this one is not.)
VmRequestRef.implement({
  description:
    "A request for a VM, from PENDING through the decision and provisioning to the READY VM's power operations and " +
    'its decommissioning (domain.md). A user sees the requests they made, an admin every request of the tenant.',
  interfaces: [builder.nodeInterfaceRef()],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'VmRequest',
  fields: (t) => ({
    id: t.id({ description: 'Its global id (opaque; usable with `node(id:)`).', resolve: (request) => globalId('VmRequest', request.id) }),
    project: t.field({
      type: ProjectRef,
      description: 'The project it is for (shown to whoever sees the request).',
      resolve: (request, _args, context) => loadersFor(context).projectOf(request),
    }),
    vmName: t.exposeString('vmName', {
      description: 'The hostname asked for: 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit, no `--`.',
    }),
    size: t.expose('size', { type: VmSizeEnum, description: 'The size asked for.' }),
    spec: t.field({ type: VmSizeSpecRef, description: "What the size means: resources and monthly cost.", resolve: (request) => vmSizeSpec(request.size) }),
    justification: t.exposeString('justification', { description: 'Why the VM is needed: 10 to 1000 characters, possibly several lines.' }),
    status: t.expose('status', { type: VmRequestStatusEnum, description: 'Where it is in its lifecycle.' }),
    version: t.exposeInt('version', { description: 'Send this as expectedVersion to approve or reject.' }),
    requesterId: t.exposeID('requesterId', { description: 'Who asked for it (their user id).' }),
    requesterEmail: t.exposeString('requesterEmail', { nullable: true, description: "The requester's email as their token had it when they asked; null when it had none." }),
    requesterName: t.exposeString('requesterName', { nullable: true, description: "The requester's name as their token had it when they asked; null when it had none." }),
    decidedBy: t.exposeID('decidedBy', { nullable: true, description: 'The admin who approved or rejected it; null while undecided or when cancelled.' }),
    rejectionReason: t.exposeString('rejectionReason', { nullable: true, description: "The admin's reason, when REJECTED (10 to 500 characters)." }),
    cancellationReason: t.exposeString('cancellationReason', { nullable: true, description: "The requester's reason, when CANCELLED with one (at most 500 characters)." }),
    provisioningStage: t.expose('provisioningStage', {
      type: ProvisioningStageEnum,
      nullable: true,
      description:
        'The stage the current attempt reached, only while PROVISIONING: null before the first stage, during a retry ' +
        'backoff (see nextRetryAt) and in every other status (READY and FAILED included).',
    }),
    provisioningAttempt: t.exposeInt('provisioningAttempt', {
      nullable: true,
      description:
        'While PROVISIONING, the current attempt (1 for the first; a retry after a retryable failure is the next). ' +
        'Once READY or FAILED, the attempt that ended provisioning, i.e. the number of attempts made. Null before ' +
        'provisioning started and for requests that never got there (PENDING, APPROVED, REJECTED, CANCELLED).',
    }),
    nextRetryAt: t.expose('nextRetryAt', {
      type: DateTimeScalar,
      nullable: true,
      description:
        'While an attempt that failed with a retryable error waits for the next one (backoff): when attempt ' +
        '`provisioningAttempt` starts. Null otherwise; it turns null when that attempt reports its first stage.',
    }),
    vmwareVmId: t.exposeString('vmwareVmId', { nullable: true, description: "The hypervisor's id of the VM, once READY." }),
    hostname: t.exposeString('hostname', { nullable: true, description: 'The hostname of the VM, once READY.' }),
    ipAddress: t.exposeString('ipAddress', { nullable: true, description: 'Its IP address, once READY; null when none was reported (see provisioningWarning).' }),
    provisioningWarning: t.exposeString('warning', {
      nullable: true,
      description: 'A caveat of a READY VM, e.g. that no IP address was reported after waiting for the network; null when none.',
    }),
    failureCode: t.field({
      type: ProvisioningFailureCodeEnum,
      nullable: true,
      description: 'Why provisioning failed, when FAILED; a stored code this server does not know shows as UNKNOWN.',
      resolve: (request) => failureCodeOf(request.failureCode),
    }),
    failureMessage: t.exposeString('failureMessage', { nullable: true, description: "The hypervisor's error message, when FAILED." }),
    powerState: t.expose('powerState', {
      type: PowerStateEnum,
      nullable: true,
      description:
        "The VM's power, once READY: ON when it became READY, then as DVMM powered it off or on, or as found in " +
        'vCenter when changed outside DVMM. Null before READY and once DECOMMISSIONED.',
    }),
    pendingOperation: t.expose('pendingOperation', {
      type: VmOperationEnum,
      nullable: true,
      description:
        'The operation requested and not yet done (powerOffVm, powerOnVm, decommissionVm); null when none is. A ' +
        'decommission supersedes a pending power operation.',
    }),
    decommissionedAt: t.expose('decommissionedAt', {
      type: DateTimeScalar,
      nullable: true,
      description: 'When the VM was deleted (decommissioned, or found deleted outside DVMM): set once DECOMMISSIONED.',
    }),
    lastOperationFailure: t.field({
      type: VmOperationFailureRef,
      nullable: true,
      description:
        'The last requested operation that failed for good; null when none did, and again once a later power ' +
        'operation succeeds or the VM is decommissioned.',
      resolve: (request) => request.lastOperationFailure,
    }),
    createdAt: t.expose('createdAt', { type: DateTimeScalar, description: 'When it was requested.' }),
    updatedAt: t.expose('updatedAt', { type: DateTimeScalar, description: 'When its latest event happened.' }),
    timeline: t.field({
      type: [TimelineEntryRef],
      description: 'Its lifecycle events as readable entries, oldest first.',
      resolve: (request, _args, context) => loadersFor(context).timelineOf(request),
    }),
    auditTrail: t.field({
      type: AuditTrailRef,
      description: 'Its stored events and whether they verify. Reads the event store and checks hash chains: keep it off large pages.',
      resolve: (request, _args, context) => loadersFor(context).auditTrailOf(request),
    }),
  }),
});
