import {
  canSeeVmRequest,
  type DomainEvent,
  type DomainResult,
  fail,
  notFound,
  ok,
  type Principal,
  type Project,
  type VmRequest,
} from '../domain/index.ts';
import type { EventStore } from '../event-store/index.ts';
import { type Aggregate, projectAggregate, vmRequestAggregate } from './aggregates.ts';
import { loadStream } from './load-stream.ts';

export interface AggregateSnapshot<State> {
  id: string;
  state: State;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * The write model's current state of one aggregate, straight from its stream (no projection lag). For the
 * provisioning process and for answers that must reflect the latest write. Missing or foreign: NOT_FOUND.
 */
const readAggregate = async <Command, Event extends DomainEvent, State, Existing extends State>(
  store: EventStore,
  aggregate: Aggregate<Command, Event, State, Existing>,
  tenantId: string,
  id: string,
): Promise<DomainResult<AggregateSnapshot<Existing>>> => {
  const loaded = await loadStream(store, aggregate, id, tenantId);
  if (!loaded.ok) return loaded;
  const { state, events, version } = loaded.value;
  const first = events[0];
  const last = events[events.length - 1];
  if (!aggregate.exists(state) || !first || !last) return fail(notFound(aggregate.notFoundMessage));
  return ok({ id, state, version, createdAt: first.metadata.occurredAt, updatedAt: last.metadata.occurredAt });
};

/**
 * A VM request as `principal` may see it (canSeeVmRequest); the system sees any in its tenant. The request's tenant
 * is the one it was read under: loadStream answers NOT_FOUND for a stream of another tenant.
 */
export const readVmRequest = async (
  store: EventStore,
  principal: Principal,
  id: string,
  options: { system?: boolean } = {},
): Promise<DomainResult<AggregateSnapshot<VmRequest>>> => {
  const result = await readAggregate(store, vmRequestAggregate, principal.tenantId, id);
  if (!result.ok || options.system) return result;
  return canSeeVmRequest(principal, { tenantId: principal.tenantId, requesterId: result.value.state.requester.id })
    ? result
    : fail(notFound(vmRequestAggregate.notFoundMessage));
};

export const readProject = (
  store: EventStore,
  principal: Principal,
  id: string,
): Promise<DomainResult<AggregateSnapshot<Project>>> => readAggregate(store, projectAggregate, principal.tenantId, id);
