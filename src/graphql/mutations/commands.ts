import { type CommandHandlers, createCommandHandlers } from '../../commands/index.ts';
import type { EventStore } from '../../event-store/index.ts';

const cache = new WeakMap<EventStore, CommandHandlers>();

/** The command handlers over the context's event store, built once per store. */
export const commandsFor = (store: EventStore): CommandHandlers => {
  let handlers = cache.get(store);
  if (!handlers) {
    handlers = createCommandHandlers(store);
    cache.set(store, handlers);
  }
  return handlers;
};
