import type { DomainResult } from './errors.ts';

/** An aggregate as three pure functions (Emmett's decider): rebuild state by folding events, decide on a command. */
export interface Decider<Command, Event, State> {
  initialState: () => State;
  decide: (command: Command, state: State) => DomainResult<Event[]>;
  evolve: (state: State, event: Event) => State;
}

export const fold = <Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState());
