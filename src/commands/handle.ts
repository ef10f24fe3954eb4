import type postgres from 'postgres';
import {
  concurrencyConflict,
  type DomainError,
  type DomainEvent,
  type DomainResult,
  eventSchemaVersions,
  fail,
  ok,
  type Principal,
} from '../domain/index.ts';
import {
  type AppendCondition,
  AppendConditionFailedError,
  AppendDeclinedError,
  type AttachedWrite,
  type AppendResult,
  ConcurrencyConflictError,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
} from '../event-store/index.ts';
import type { Aggregate } from './aggregates.ts';
import { type CommandContext, type CommandIdentity, eventMetadata } from './context.ts';
import { atVersion, type LoadedStream, loadStream } from './load-stream.ts';
import type { CommandResult, StoredEvent } from './result.ts';

export interface HandleDeps {
  store: EventStore;
  now: () => Date;
  /** Attempts for commands without a caller-supplied version, when a concurrent writer wins the append. */
  maxAttempts: number;
}

export interface CommandSpec<Command, Event extends DomainEvent, State, Existing extends State> {
  aggregate: Aggregate<Command, Event, State, Existing>;
  principal: Principal;
  streamId: string;
  /** The id was generated for this command just now, so its stream is known to be empty: skip reading it. */
  fresh?: boolean;
  command: Command;
  identity: CommandIdentity;
  context: CommandContext;
  /**
   * The version the caller saw (approve, reject). A stale one is the caller's conflict to resolve: reported with
   * the actual version, never retried. Without it, a lost race is retried on fresh state.
   */
  expectedVersion?: number;
  /** Visibility beyond the tenant check (e.g. a user sees only their own requests): a refusal ends the command. */
  authorize?: (state: Existing) => DomainError | null;
  /**
   * Appends only while another stream is at a version (see AppendOptions.condition); a failed condition ends the
   * command with CONCURRENCY_CONFLICT (expected/actual of that stream), for the caller to decide again.
   */
  condition?: AppendCondition;
  /**
   * Runs inside the append's transaction, after the append, with the events and the state they were decided on; a
   * refusal rolls the append back (e.g. a taken project name, an exceeded quota). Not run for a duplicate command.
   */
  inTransaction?: (
    tx: postgres.TransactionSql,
    streamId: string,
    events: Event[],
    before: State,
  ) => Promise<DomainError | null>;
  /**
   * The one-statement form of `inTransaction` for the common case: a write attached to the append's own statement
   * (AppendOptions.attached), with no transaction. When it declines (or there is none, null), the command takes the
   * `inTransaction` path instead.
   */
  attached?: (sql: postgres.Sql, streamId: string, events: Event[], before: State) => AttachedWrite | null;
}

type Outcome<Existing, Event> = DomainResult<CommandResult<Existing, Event>>;

/**
 * The one path of every command: load the stream, fold it, decide, append at the version the decision was made
 * on, and answer with the aggregate as the command left it. Nothing is written unless the decision succeeds.
 */
export const handle = async <Command, Event extends DomainEvent, State, Existing extends State>(
  deps: HandleDeps,
  spec: CommandSpec<Command, Event, State, Existing>,
): Promise<Outcome<Existing, Event>> => {
  const { aggregate, principal, identity } = spec;
  let lastConflict: ConcurrencyConflictError | undefined;
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt++) {
    if (attempt > 1) await jitter(attempt);
    const loaded =
      spec.fresh && attempt === 1
        ? ok(emptyStream(aggregate, spec.streamId))
        : await loadStream(deps.store, aggregate, spec.streamId, principal.tenantId);
    if (!loaded.ok) return loaded;
    const stream = loaded.value;

    // A retried command whose first run already landed in this stream: answer as the first run did.
    if (identity.idempotent && stream.events.some((event) => event.metadata.commandId === identity.commandId)) {
      const version = Math.max(
        ...stream.events.filter((event) => event.metadata.commandId === identity.commandId).map((e) => e.streamVersion),
      );
      return ok(toResult(aggregate, atVersionOf(aggregate, stream, version), identity.commandId, true));
    }
    if (spec.authorize && aggregate.exists(stream.state)) {
      const refusal = spec.authorize(stream.state);
      if (refusal) return fail(refusal);
    }

    const decision = aggregate.decider.decide(spec.command, stream.state);
    if (!decision.ok) return decision;
    if (decision.value.length === 0) return ok(toResult(aggregate, stream, identity.commandId, false));

    const expected: ExpectedVersion = stream.version === 0 ? 'no_stream' : stream.version;
    const metadata = eventMetadata(principal, identity.commandId, spec.context, deps.now());
    try {
      const appended = await appendDecision(deps, spec, stream.state, expected, decision.value, metadata);
      if (!appended.ok) return appended;
      if (appended.value.duplicate) return ok(await duplicateResult(deps, spec, appended.value));
      const after = withAppended(spec, stream, decision.value, appended.value, metadata);
      return ok(toResult(aggregate, after, identity.commandId, false));
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
      if (spec.expectedVersion !== undefined) return fail(concurrencyConflict(spec.expectedVersion, error.actual));
      lastConflict = error;
    }
  }
  const expected = typeof lastConflict?.expected === 'number' ? lastConflict.expected : 0;
  return fail({
    ...concurrencyConflict(expected, lastConflict?.actual ?? 0),
    message: `Gave up after ${deps.maxAttempts} attempts: the ${aggregate.streamType} kept changing concurrently; retry later`,
  });
};

const emptyStream = <Command, Event extends DomainEvent, State, Existing extends State>(
  aggregate: Aggregate<Command, Event, State, Existing>,
  streamId: string,
): LoadedStream<Event, State> => ({ streamId, events: [], state: aggregate.decider.initialState(), version: 0 });

/** Thrown inside the transaction only to roll it back; never escapes `appendDecision`. */
class RolledBack extends Error {
  constructor(readonly refusal: DomainError) {
    super(refusal.message);
  }
}

const appendDecision = async <Command, Event extends DomainEvent, State, Existing extends State>(
  deps: HandleDeps,
  spec: CommandSpec<Command, Event, State, Existing>,
  before: State,
  expected: ExpectedVersion,
  events: Event[],
  metadata: EventMetadata,
): Promise<DomainResult<AppendResult>> => {
  const newEvents: NewEvent[] = events.map((event) => ({
    type: event.type,
    data: event.data,
    schemaVersion: eventSchemaVersions[event.type],
  }));
  const options = {
    streamType: spec.aggregate.streamType,
    tenantId: spec.principal.tenantId,
    metadata,
    ...(spec.identity.idempotent ? { commandId: spec.identity.commandId } : {}),
    ...(spec.condition ? { condition: spec.condition } : {}),
  };
  const { inTransaction } = spec;
  try {
    if (!inTransaction) return ok(await deps.store.append(spec.streamId, expected, newEvents, options));
    const attached = spec.attached?.(deps.store.sql, spec.streamId, events, before);
    if (attached) {
      try {
        return ok(await deps.store.append(spec.streamId, expected, newEvents, { ...options, attached }));
      } catch (error) {
        if (!(error instanceof AppendDeclinedError)) throw error;
      }
    }
    return ok(
      await deps.store.transaction(async (tx) => {
        const appended = await deps.store.append(spec.streamId, expected, newEvents, { ...options, sql: tx });
        if (appended.duplicate) return appended;
        const refusal = await inTransaction(tx, spec.streamId, events, before);
        if (refusal) throw new RolledBack(refusal);
        return appended;
      }),
    );
  } catch (error) {
    if (error instanceof RolledBack) return fail(error.refusal);
    if (error instanceof AppendConditionFailedError) return fail(concurrencyConflict(error.expected, error.actual));
    throw error;
  }
};

/** The stream after our append, without reading it back: the events are exactly what we wrote. */
const withAppended = <Command, Event extends DomainEvent, State, Existing extends State>(
  spec: CommandSpec<Command, Event, State, Existing>,
  stream: LoadedStream<Event, State>,
  events: Event[],
  appended: AppendResult,
  metadata: EventMetadata,
): LoadedStream<Event, State> => {
  const first = appended.nextExpectedVersion - events.length + 1;
  const stored = events.map((event, i): StoredEvent<Event> => ({ ...event, streamVersion: first + i, metadata }));
  return {
    ...stream,
    events: [...stream.events, ...stored],
    state: events.reduce(spec.aggregate.decider.evolve, stream.state),
    version: appended.nextExpectedVersion,
  };
};

/** A concurrent run of the same idempotent command won: read what it wrote and answer with that. */
const duplicateResult = async <Command, Event extends DomainEvent, State, Existing extends State>(
  deps: HandleDeps,
  spec: CommandSpec<Command, Event, State, Existing>,
  appended: AppendResult,
): Promise<CommandResult<Existing, Event>> => {
  const loaded = await loadStream(deps.store, spec.aggregate, appended.streamId, spec.principal.tenantId);
  // The command id is scoped to this tenant and command type, so its stream is always ours to read.
  if (!loaded.ok) throw new Error(`command ${spec.identity.commandId} points at an unreadable stream ${appended.streamId}`);
  const stream = atVersionOf(spec.aggregate, loaded.value, appended.nextExpectedVersion);
  return toResult(spec.aggregate, stream, spec.identity.commandId, true);
};

const atVersionOf = <Command, Event extends DomainEvent, State, Existing extends State>(
  aggregate: Aggregate<Command, Event, State, Existing>,
  stream: LoadedStream<Event, State>,
  version: number,
): LoadedStream<Event, State> => atVersion(stream, aggregate.decider.evolve, aggregate.decider.initialState, version);

const toResult = <Command, Event extends DomainEvent, State, Existing extends State>(
  aggregate: Aggregate<Command, Event, State, Existing>,
  stream: LoadedStream<Event, State>,
  commandId: string,
  duplicate: boolean,
): CommandResult<Existing, Event> => {
  const { state } = stream;
  const first = stream.events[0];
  const last = stream.events[stream.events.length - 1];
  // A decision that succeeds always leaves an existing aggregate; anything else is a bug in a decider.
  if (!aggregate.exists(state) || !first || !last) {
    throw new Error(`${aggregate.streamType} ${stream.streamId}: a successful command left no aggregate`);
  }
  return {
    id: stream.streamId,
    state,
    version: stream.version,
    events: stream.events.filter((event) => event.metadata.commandId === commandId),
    duplicate,
    createdAt: first.metadata.occurredAt,
    updatedAt: last.metadata.occurredAt,
  };
};

/** Spreads retries of writers that collided, so they do not collide again in lockstep. */
const jitter = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
