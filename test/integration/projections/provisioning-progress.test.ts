import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { VmRequestEvent } from '../../../src/domain/index.ts';
import { PROJECTIONS, startProjector, vmRequestsProjection } from '../../../src/projections/index.ts';
import { dbTest as test } from '../../support/db-test.ts';
import { appendStep, createProject, VM_REQUEST_STREAM } from './events.ts';
import { expectReadModelsMatchFold, expectSameAsFreshRebuild } from './fold.ts';

const system = 'system:provisioning';
const stage = (s: 'CLONING' | 'CONFIGURING' | 'POWERING_ON' | 'WAITING_FOR_NETWORK'): VmRequestEvent => ({
  type: 'VmProvisioningProgressed',
  data: { stage: s },
});

/** A request's version rows as `status stage attempt retryAt`, oldest first. */
const versions = async (sql: Parameters<typeof expectReadModelsMatchFold>[0], id: string) =>
  (
    // The time as epoch milliseconds: whether this pool parses timestamps depends on who else uses it.
    await sql<{ status: string; provisioning_stage: string | null; provisioning_attempts: number | null; retry_ms: number | null }[]>`
      select status, provisioning_stage, provisioning_attempts, (extract(epoch from next_retry_at) * 1000)::float8 as retry_ms
      from vm_request_versions
      where id = ${id} order by version`
  ).map((r) => `${r.status} ${r.provisioning_stage ?? '-'} ${r.provisioning_attempts ?? '-'} ${r.retry_ms === null ? '-' : new Date(r.retry_ms).toISOString()}`);

test('stage only while PROVISIONING, the attempt and the retry time of a retried and of a failed request, in every version', async ({ sql, store }) => {
  const projector = await startProjector({ sql, projections: PROJECTIONS, pollIntervalMs: 50, log: () => {} });
  try {
    const projectId = await createProject(store, 'acme', 'Retries', 'admin');
    const retryAt = '2030-01-02T03:04:05.678Z';
    const lives: Record<string, VmRequestEvent[][]> = {
      retried: [
        [{ type: 'VmRequestApproved', data: { approvedBy: 'admin' } }],
        [{ type: 'VmRequestProvisioningStarted', data: {} }],
        [stage('CLONING')],
        [stage('CONFIGURING')],
        [{ type: 'VmProvisioningRetryScheduled', data: { failedAttempt: 1, errorCode: 'CONNECTION_FAILED', errorMessage: 'refused', retryAt } }],
        // One batch: the backoff ends and the next attempt runs, each version still kept.
        [stage('CLONING'), stage('CONFIGURING'), stage('POWERING_ON'), stage('WAITING_FOR_NETWORK')],
        [{ type: 'VmRequestReady', data: { vmwareVmId: 'vm-1', hostname: 'web.acme.internal', ipAddress: '10.0.0.1' } }],
      ],
      failed: [
        [{ type: 'VmRequestApproved', data: { approvedBy: 'admin' } }],
        [{ type: 'VmRequestProvisioningStarted', data: {} }],
        [stage('CLONING')],
        [{ type: 'VmRequestProvisioningFailed', data: { errorCode: 'TEMPLATE_NOT_FOUND', errorMessage: 'no template', attempts: 1 } }],
      ],
    };
    const ids: Record<string, string> = {};
    for (const [name, steps] of Object.entries(lives)) {
      const id = (ids[name] = randomUUID());
      let version = await appendStep(store, 'acme', VM_REQUEST_STREAM, id, 0, {
        actor: 'alice',
        events: [
          {
            type: 'VmRequestCreated',
            data: { projectId, vmName: `vm-${name}`, size: 'S', justification: 'Needed for testing', requester: { id: 'alice', email: null, name: null } },
          },
        ],
      });
      for (const events of steps) {
        version = await appendStep(store, 'acme', VM_REQUEST_STREAM, id, version, { actor: events[0]!.type === 'VmRequestApproved' ? 'admin' : system, events });
      }
    }
    await projector.caughtUp();

    expect(await versions(sql, ids.retried!)).toEqual([
      'PENDING - - -',
      'APPROVED - - -',
      'PROVISIONING - 1 -',
      'PROVISIONING CLONING 1 -',
      'PROVISIONING CONFIGURING 1 -',
      `PROVISIONING - 2 ${retryAt}`,
      'PROVISIONING CLONING 2 -',
      'PROVISIONING CONFIGURING 2 -',
      'PROVISIONING POWERING_ON 2 -',
      'PROVISIONING WAITING_FOR_NETWORK 2 -',
      'READY - 2 -',
    ]);
    expect(await versions(sql, ids.failed!)).toEqual([
      'PENDING - - -',
      'APPROVED - - -',
      'PROVISIONING - 1 -',
      'PROVISIONING CLONING 1 -',
      'FAILED - 1 -',
    ]);
    const timeline = await sql<{ type: string; details: string }[]>`
      select type, details from vm_request_timeline where request_id = ${ids.retried!} and type = 'VmProvisioningRetryScheduled'`;
    expect(timeline).toEqual([
      { type: 'VmProvisioningRetryScheduled', details: `Attempt 1 failed: CONNECTION_FAILED: refused; attempt 2 starts at ${retryAt}` },
    ]);
    // The rows and every version are the domain's fold, and a replay gives the same.
    await expectReadModelsMatchFold(sql);
    await expectSameAsFreshRebuild(sql, vmRequestsProjection);
  } finally {
    await projector.stop();
  }
});
