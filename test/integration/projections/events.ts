import { randomUUID } from 'node:crypto';
import type { DomainEvent, ProjectEvent, VmRequestEvent } from '../../../src/domain/index.ts';
import type { EventMetadata, EventStore, JsonObject, NewEvent } from '../../../src/event-store/index.ts';
import type { LogEvent } from '../../../src/event-store/read-all.ts';

export const VM_REQUEST_STREAM = 'VmRequest';
export const PROJECT_STREAM = 'Project';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const toNew = (event: DomainEvent): NewEvent => ({ type: event.type, data: event.data as unknown as JsonObject });

export function metadata(tenantId: string, userId: string, occurredAt = new Date()): EventMetadata {
  return {
    tenantId,
    userId,
    correlationId: randomUUID(),
    causationId: null,
    commandId: randomUUID(),
    occurredAt: occurredAt.toISOString(),
  };
}

/**
 * Events as the log would hand them out, for calling a handler or applyBatch directly (they read nothing else of
 * the store): each factory numbers its events from position 1, transaction ids 1001 on.
 */
export function logEvents(): (streamId: string, version: number, type: string, data: Record<string, unknown>) => LogEvent {
  let position = 0n;
  return (streamId, version, type, data) => {
    position++;
    return {
      position,
      transactionId: 1000n + position,
      streamId,
      streamType: 'VmRequest',
      streamVersion: version,
      type,
      schemaVersion: 1,
      data: data as LogEvent['data'],
      metadata: metadata('acme', 'system', new Date(Date.UTC(2025, 2, 1))),
      tenantId: 'acme',
      recordedAt: new Date(),
    };
  };
}

export interface Step {
  actor: string;
  events: DomainEvent[];
}

export interface AppendStepOptions {
  /** Hold the transaction open this long after the insert (a slow writer, as under load). */
  delayMs?: number;
  occurredAt?: Date;
}

/** Appends one command's events at the expected version, as command handling does; returns the new version. */
export async function appendStep(
  store: EventStore,
  tenantId: string,
  streamType: string,
  streamId: string,
  version: number,
  step: Step,
  options: AppendStepOptions = {},
): Promise<number> {
  const appendOptions = { streamType, tenantId, metadata: metadata(tenantId, step.actor, options.occurredAt) };
  const expected = version === 0 ? 'no_stream' : version;
  if (!options.delayMs) {
    return (await store.append(streamId, expected, step.events.map(toNew), appendOptions)).nextExpectedVersion;
  }
  return store.transaction(async (tx) => {
    const result = await store.append(streamId, expected, step.events.map(toNew), { ...appendOptions, sql: tx });
    await sleep(options.delayMs!);
    return result.nextExpectedVersion;
  });
}

export const projectCreation = (name: string, createdBy: string, description?: string): Step => ({
  actor: createdBy,
  events: [
    { type: 'ProjectCreated', data: { name, createdBy, ...(description ? { description } : {}) } },
    { type: 'MemberAdded', data: { userId: createdBy, role: 'PROJECT_ADMIN' } },
  ] satisfies ProjectEvent[],
});

export const memberAdded = (by: string, userId: string, role: 'MEMBER' | 'PROJECT_ADMIN' = 'MEMBER'): Step => ({
  actor: by,
  events: [{ type: 'MemberAdded', data: { userId, role } }],
});
export const memberRemoved = (by: string, userId: string): Step => ({
  actor: by,
  events: [{ type: 'MemberRemoved', data: { userId } }],
});

const SIZES = ['S', 'M', 'L', 'XL'] as const;
const STAGES = ['CLONING', 'CONFIGURING', 'POWERING_ON', 'WAITING_FOR_NETWORK'] as const;

export interface RequestPlan {
  requestId: string;
  steps: Step[];
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/**
 * A READY VM's life after READY along a random path the domain allows: power operations requested (by the requester
 * or an admin) and done or failed by the provisioning process, changes observed in vCenter, and often its end
 * (decommissioned, or found deleted).
 */
function lifeAfterReady(requester: string, admin: string): Step[] {
  const process = 'system:provisioning';
  const reconciliation = 'system:reconciliation';
  const steps: Step[] = [];
  const step = (actor: string, event: VmRequestEvent) => steps.push({ actor, events: [event] });
  let power: 'ON' | 'OFF' | 'UNKNOWN' = 'ON';
  let pending: 'POWER_OFF' | 'POWER_ON' | 'DECOMMISSION' | null = null;
  const failure = (operation: 'POWER_OFF' | 'POWER_ON' | 'DECOMMISSION'): VmRequestEvent => ({
    type: 'VmOperationFailed',
    data: { operation, errorCode: pick(['CONNECTION_TIMEOUT', 'VM_CONFIG_INVALID']), errorMessage: 'vCenter said "no", twice', attempts: pick([1, 3]) },
  });
  for (let i = 0; i < 8; i++) {
    const who = pick([requester, admin]);
    const roll = Math.random();
    if (pending === null) {
      if (roll < 0.3 && power !== 'OFF') {
        step(who, { type: 'VmPowerOffRequested', data: { requestedBy: who } });
        pending = 'POWER_OFF';
      } else if (roll < 0.55 && power !== 'ON') {
        step(who, { type: 'VmPowerOnRequested', data: { requestedBy: who } });
        pending = 'POWER_ON';
      } else if (roll < 0.7) {
        const observed = pick((['ON', 'OFF', 'UNKNOWN'] as const).filter((state) => state !== power));
        step(reconciliation, { type: 'VmPowerStateObserved', data: { powerState: observed } });
        power = observed;
      } else if (roll < 0.85) {
        step(who, { type: 'VmDecommissionRequested', data: Math.random() < 0.5 ? { requestedBy: who } : { requestedBy: who, reason: 'Project "done", \\ finished' } });
        pending = 'DECOMMISSION';
      } else if (roll < 0.9) {
        step(reconciliation, { type: 'VmDeletionObserved', data: {} });
        return steps;
      }
    } else if (pending === 'DECOMMISSION') {
      if (roll < 0.7) {
        step(process, { type: 'VmDecommissioned', data: {} });
        return steps;
      }
      if (roll < 0.8) {
        step(reconciliation, { type: 'VmDeletionObserved', data: {} });
        return steps;
      }
      step(process, failure(pending));
      pending = null;
    } else if (roll < 0.6) {
      power = pending === 'POWER_OFF' ? 'OFF' : 'ON';
      step(process, pending === 'POWER_OFF' ? { type: 'VmPoweredOff', data: {} } : { type: 'VmPoweredOn', data: {} });
      pending = null;
    } else if (roll < 0.85) {
      step(process, failure(pending));
      pending = null;
    } else {
      // A decommission supersedes the pending power operation.
      step(who, { type: 'VmDecommissionRequested', data: { requestedBy: who } });
      pending = 'DECOMMISSION';
    }
  }
  return steps;
}

/** A request's whole life, one command per step, along a random path through the lifecycle. */
export function randomRequest(projectId: string, requester: string, admin: string, vmName: string): RequestPlan {
  const system = 'system:provisioning';
  const vm = (events: VmRequestEvent[], actor: string): Step => ({ actor, events });
  const created = vm(
    [
      {
        type: 'VmRequestCreated',
        data: {
          projectId,
          vmName,
          size: pick(SIZES),
          // Awkward text on purpose: the projections send rows as Postgres array literals (column-arrays.ts).
          justification: pick([`Needed for ${vmName} testing`, `"Quoted", {braced}, back\\slash \\" NULL, ünïcode ✓\nsecond line`, 'NULL', '']),
          requester: { id: requester, email: `${requester}@acme.test`, name: Math.random() < 0.5 ? null : requester.toUpperCase() },
        },
      },
    ],
    requester,
  );
  const provisioning = [
    vm([{ type: 'VmRequestApproved', data: { approvedBy: admin } }], admin),
    vm([{ type: 'VmRequestProvisioningStarted', data: {} }], system),
  ];
  const path = Math.random();
  let steps: Step[];
  if (path < 0.1) steps = [created];
  else if (path < 0.2) steps = [created, vm([{ type: 'VmRequestCancelled', data: Math.random() < 0.5 ? {} : { reason: pick(['No longer needed', 'null', '\\N', ' spaced "out" ']) } }], requester)];
  else if (path < 0.3) steps = [created, vm([{ type: 'VmRequestRejected', data: { rejectedBy: admin, reason: 'Too large for this project' } }], admin)];
  else if (path < 0.4) steps = [created, provisioning[0]!];
  else if (path < 0.5) {
    steps = [
      created,
      ...provisioning,
      vm([{ type: 'VmProvisioningProgressed', data: { stage: 'CLONING' } }], system),
      vm([{ type: 'VmRequestProvisioningFailed', data: { errorCode: 'CONNECTION_TIMEOUT', errorMessage: 'vCenter did not answer', attempts: 5 } }], system),
    ];
  } else if (path < 0.6) {
    // A retryable failure of attempt 1 after its first stages, then attempt 2 from the first stage to READY.
    steps = [
      created,
      ...provisioning,
      ...STAGES.slice(0, 2).map((stage) => vm([{ type: 'VmProvisioningProgressed', data: { stage } }], system)),
      vm(
        [
          {
            type: 'VmProvisioningRetryScheduled',
            data: { failedAttempt: 1, errorCode: 'CONNECTION_FAILED', errorMessage: 'vCenter refused "the" connection', retryAt: new Date(Date.now() + 10_000).toISOString() },
          },
        ],
        system,
      ),
      ...STAGES.map((stage) => vm([{ type: 'VmProvisioningProgressed', data: { stage } }], system)),
      vm([{ type: 'VmRequestReady', data: { vmwareVmId: `vm-${vmName}`, hostname: `${vmName}.acme.internal`, ipAddress: '10.0.0.8' } }], system),
      ...(Math.random() < 0.6 ? lifeAfterReady(requester, admin) : []),
    ];
  } else {
    steps = [
      created,
      ...provisioning,
      ...STAGES.map((stage) => vm([{ type: 'VmProvisioningProgressed', data: { stage } }], system)),
      vm(
        [
          {
            type: 'VmRequestReady',
            data: Math.random() < 0.8
              ? { vmwareVmId: `vm-${vmName}`, hostname: `${vmName}.acme.internal`, ipAddress: '10.0.0.7' }
              : { vmwareVmId: `vm-${vmName}`, hostname: `${vmName}.acme.internal`, warning: 'No IP address after the network wait' },
          },
        ],
        system,
      ),
      ...(Math.random() < 0.6 ? lifeAfterReady(requester, admin) : []),
    ];
  }
  return { requestId: randomUUID(), steps };
}

/** Plays a request's steps one append each; `delayMs` picks each transaction's hold time. */
export async function playRequest(
  store: EventStore,
  tenantId: string,
  plan: RequestPlan,
  delayMs: () => number = () => 0,
  occurredAt?: (step: number) => Date,
): Promise<void> {
  let version = 0;
  for (const [i, step] of plan.steps.entries()) {
    version = await appendStep(store, tenantId, VM_REQUEST_STREAM, plan.requestId, version, step, {
      delayMs: delayMs(),
      ...(occurredAt ? { occurredAt: occurredAt(i) } : {}),
    });
  }
}

/** Creates a project (with its creator as PROJECT_ADMIN); returns its id. */
export async function createProject(store: EventStore, tenantId: string, name: string, admin: string): Promise<string> {
  const id = randomUUID();
  await appendStep(store, tenantId, PROJECT_STREAM, id, 0, projectCreation(name, admin, `The ${name} project`));
  return id;
}

/** Appends `count` requests in `writers` parallel writers; every request goes through its whole random life. */
export async function writeRequests(
  store: EventStore,
  tenantId: string,
  projectIds: readonly string[],
  options: { writers: number; perWriter: number; delayMs?: () => number; stop?: () => boolean },
): Promise<number> {
  let written = 0;
  await Promise.all(
    Array.from({ length: options.writers }, async (_, w) => {
      for (let i = 0; i < options.perWriter && !options.stop?.(); i++) {
        const plan = randomRequest(pick(projectIds), `user${w}`, 'admin', `vm-${w}-${i}-${plan4()}`);
        await playRequest(store, tenantId, plan, options.delayMs);
        written++;
      }
    }),
  );
  return written;
}

const plan4 = (): string => Math.random().toString(36).slice(2, 6);
