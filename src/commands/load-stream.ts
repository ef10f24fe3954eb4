import { type DomainEvent, type DomainResult, fail, fold, notFound, ok, toDomainEvent } from '../domain/index.ts';
import type { EventStore } from '../event-store/index.ts';
import type { Aggregate } from './aggregates.ts';
import { isUuid } from './ids.ts';
import type { StoredEvent } from './result.ts';

export interface LoadedStream<Event, State> {
  streamId: string;
  events: StoredEvent<Event>[];
  state: State;
  version: number;
}

/**
 * Reads and folds one aggregate's stream. A stream of another tenant, or of another aggregate type, is NOT_FOUND,
 * exactly like a missing one, so ids cannot be probed across tenants. A missing stream loads as the initial state.
 */
export const loadStream = async <Command, Event extends DomainEvent, State, Existing extends State>(
  store: EventStore,
  aggregate: Aggregate<Command, Event, State, Existing>,
  streamId: string,
  tenantId: string,
): Promise<DomainResult<LoadedStream<Event, State>>> => {
  if (!isUuid(streamId)) return fail(notFound(aggregate.notFoundMessage));
  const recorded = await store.readStream(streamId);
  if (recorded.some((event) => event.tenantId !== tenantId || event.streamType !== aggregate.streamType)) {
    return fail(notFound(aggregate.notFoundMessage));
  }
  const events = recorded.map((record): StoredEvent<Event> => {
    const event = toDomainEvent(record.type, record.schemaVersion, record.data);
    if (!aggregate.isEvent(event)) {
      throw new Error(`${record.type} at version ${record.streamVersion} does not belong in a ${aggregate.streamType} stream`);
    }
    return { ...event, streamVersion: record.streamVersion, metadata: record.metadata };
  });
  return ok({ streamId, events, state: fold(aggregate.decider, events), version: events.length });
};

/** The stream as it was at `version`: for answering a retried command with its first result. */
export const atVersion = <Event, State>(
  loaded: LoadedStream<Event, State>,
  evolve: (state: State, event: Event) => State,
  initialState: () => State,
  version: number,
): LoadedStream<Event, State> => {
  const events = loaded.events.filter((event) => event.streamVersion <= version);
  return { ...loaded, events, state: events.reduce(evolve, initialState()), version: events.length };
};
