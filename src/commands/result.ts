import type { EventMetadata } from '../event-store/index.ts';

/** A domain event as stored: its place in the stream and who/when/why. */
export type StoredEvent<Event> = Event & { streamVersion: number; metadata: EventMetadata };

/** What every successful command returns: the aggregate as the command left it. */
export interface CommandResult<State, Event> {
  /** The aggregate's id (its stream id). */
  id: string;
  state: State;
  /** The stream version after the command: what approve/reject must expect next. */
  version: number;
  /** The events this command wrote; for a retried idempotency key those of its first run; empty for a no-op. */
  events: StoredEvent<Event>[];
  /** True when an idempotency key was seen before and nothing new was written. */
  duplicate: boolean;
  /** occurredAt of the stream's first event and of its last event at `version`. */
  createdAt: string;
  updatedAt: string;
}
