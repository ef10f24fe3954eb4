import { vmSizeSpec } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { loadersFor } from '../read/loaders.ts';
import { globalId } from '../ids.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { AuditTrailRef } from './audit-trail.ts';
import { ProvisioningStageEnum, VmRequestStatusEnum, VmSizeEnum } from './enums.ts';
import { ProjectRef } from './project.ts';
import { failureCodeOf, ProvisioningFailureCodeEnum } from './provisioning-failure-code.ts';
import { DateTimeScalar } from './scalars.ts';
import { TimelineEntryRef } from './timeline-entry.ts';
import { VmSizeSpecRef } from './vm-size-spec.ts';

export const VmRequestRef = builder.objectRef<VmRequestView>('VmRequest');

// Plain, synchronous fields on purpose: one change is resolved once per subscriber, so they must stay cheap. (The
// relay plugin's own node id field is async, which makes every execution of a VmRequest asynchronous; this one is not.)
VmRequestRef.implement({
  interfaces: [builder.nodeInterfaceRef()],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'VmRequest',
  fields: (t) => ({
    id: t.id({ resolve: (request) => globalId('VmRequest', request.id) }),
    project: t.field({ type: ProjectRef, resolve: (request, _args, context) => loadersFor(context).projectOf(request) }),
    vmName: t.exposeString('vmName'),
    size: t.expose('size', { type: VmSizeEnum }),
    spec: t.field({ type: VmSizeSpecRef, resolve: (request) => vmSizeSpec(request.size) }),
    justification: t.exposeString('justification'),
    status: t.expose('status', { type: VmRequestStatusEnum }),
    version: t.exposeInt('version', { description: 'Send this as expectedVersion to approve or reject.' }),
    requesterId: t.exposeID('requesterId'),
    requesterEmail: t.exposeString('requesterEmail', { nullable: true }),
    requesterName: t.exposeString('requesterName', { nullable: true }),
    decidedBy: t.exposeID('decidedBy', { nullable: true }),
    rejectionReason: t.exposeString('rejectionReason', { nullable: true }),
    cancellationReason: t.exposeString('cancellationReason', { nullable: true }),
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
    vmwareVmId: t.exposeString('vmwareVmId', { nullable: true }),
    hostname: t.exposeString('hostname', { nullable: true }),
    ipAddress: t.exposeString('ipAddress', { nullable: true }),
    provisioningWarning: t.exposeString('warning', { nullable: true }),
    failureCode: t.field({
      type: ProvisioningFailureCodeEnum,
      nullable: true,
      description: 'Why provisioning failed, when FAILED; a stored code this server does not know shows as UNKNOWN.',
      resolve: (request) => failureCodeOf(request.failureCode),
    }),
    failureMessage: t.exposeString('failureMessage', { nullable: true }),
    createdAt: t.expose('createdAt', { type: DateTimeScalar }),
    updatedAt: t.expose('updatedAt', { type: DateTimeScalar }),
    timeline: t.field({
      type: [TimelineEntryRef],
      resolve: (request, _args, context) => loadersFor(context).timelineOf(request),
    }),
    auditTrail: t.field({
      type: AuditTrailRef,
      resolve: (request, _args, context) => loadersFor(context).auditTrailOf(request),
    }),
  }),
});
