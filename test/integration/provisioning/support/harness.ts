import { expect, vi } from 'vitest';
import { createCommandHandlers, type CommandHandlers } from '../../../../src/commands/index.ts';
import type { EventStore, RecordedEvent } from '../../../../src/event-store/index.ts';
import type { TestDatabase } from '../../../support/db.ts';
import { dbTest } from '../../../support/db-test.ts';
import { alice, bob } from '../../../support/personas.ts';

/** Fast settings for tests: milliseconds instead of seconds. */
export const FAST = {
  maxAttempts: 5,
  backoffMs: 20,
  backoffMaxMs: 80,
  cleanupBackoffMaxMs: 200,
  networkTimeoutMs: 150,
  concurrency: 4,
  pollIntervalMs: 25,
  projectorPollIntervalMs: 50,
};

export interface Approved {
  id: string;
  /** The approval event's correlation id: every provisioning event must carry it. */
  correlationId: string;
  /** The approval event's global position. */
  approvalPosition: bigint;
}

export interface Harness {
  t: TestDatabase;
  store: EventStore;
  commands: CommandHandlers;
  /** Creates a request (alice) and returns its id; `beforeApproval` runs before bob approves (e.g. to inject faults). */
  approvedRequest(vmName?: string, beforeApproval?: (id: string) => void): Promise<Approved>;
  createRequest(vmName?: string): Promise<string>;
  approve(id: string): Promise<Approved>;
  events(id: string): Promise<RecordedEvent[]>;
  status(id: string): Promise<string>;
}

const expectOk = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(`command refused: ${JSON.stringify(result.error)}`);
  return result.value;
};

/** dbTest with `h`: bob's project "Webshop" with alice a member, and helpers to request and approve VMs in it. */
export const provisioningTest = dbTest.extend('h', { scope: 'file' }, ({ database, store }) => openHarness(database, store));

async function openHarness(t: TestDatabase, store: EventStore): Promise<Harness> {
  const commands = createCommandHandlers(store);
  const projectId = expectOk(await commands.createProject(bob, { name: 'Webshop' })).id;
  expectOk(await commands.addProjectMember(bob, { projectId, userId: alice.userId, role: 'MEMBER' }));

  const events = (id: string) => store.readStream(id);
  const createRequest = async (vmName = 'web-01') =>
    expectOk(
      await commands.createVmRequest(alice, {
        projectId,
        vmName,
        size: 'M',
        justification: 'Staging server for the shop',
      }),
    ).id;
  const approve = async (id: string): Promise<Approved> => {
    const approved = expectOk(await commands.approveVmRequest(bob, { id, expectedVersion: 1 }));
    const approval = (await events(id)).find((e) => e.type === 'VmRequestApproved');
    if (!approval) throw new Error('no approval event');
    return { id: approved.id, correlationId: approval.metadata.correlationId, approvalPosition: approval.position };
  };
  return {
    t,
    store,
    commands,
    createRequest,
    approve,
    async approvedRequest(vmName = 'web-01', beforeApproval) {
      const id = await createRequest(vmName);
      beforeApproval?.(id);
      return approve(id);
    },
    events,
    async status(id) {
      const types = (await events(id)).map((e) => e.type);
      return types[types.length - 1] ?? 'NONE';
    },
  };
}

const TERMINAL = ['VmRequestReady', 'VmRequestProvisioningFailed'];

/**
 * Waits until the request is READY or FAILED and its job is DONE (the job row is closed just after the last event
 * is written), and returns the request's events.
 */
export async function settled(h: Harness, id: string, timeoutMs = 30_000): Promise<RecordedEvent[]> {
  return vi.waitFor(
    async () => {
      const events = await h.events(id);
      expect(TERMINAL, `request ${id} to be READY or FAILED`).toContain(events.at(-1)?.type);
      const [job] = await h.t.sql<{ status: string }[]>`select status from provisioning_jobs where request_id = ${id}`;
      expect(job?.status, `the job of request ${id}`).toBe('DONE');
      return events;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

/** The event types of a stream, progress events spelled with their stage, retries with the attempt that failed. */
export const sequence = (events: RecordedEvent[]): string[] =>
  events.map((e) =>
    e.type === 'VmProvisioningProgressed'
      ? `${e.type}:${String(e.data.stage)}`
      : e.type === 'VmProvisioningRetryScheduled'
        ? `${e.type}:${String(e.data.failedAttempt)}`
        : e.type,
  );

export const PROVISIONED_SEQUENCE = [
  'VmRequestCreated',
  'VmRequestApproved',
  'VmRequestProvisioningStarted',
  'VmProvisioningProgressed:CLONING',
  'VmProvisioningProgressed:CONFIGURING',
  'VmProvisioningProgressed:POWERING_ON',
  'VmProvisioningProgressed:WAITING_FOR_NETWORK',
];
