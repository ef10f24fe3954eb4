import { type CommandHandlers, createCommandHandlers } from '../../commands/index.ts';
import type { EventStore } from '../../event-store/index.ts';
import type { Services } from '../context.ts';

const fallback = new WeakMap<EventStore, CommandHandlers>();

/**
 * The command handlers the mutations run: the process's own set from Services (main.ts builds one, so GraphQL,
 * provisioning and the demo seed share one project cache). A caller that does not pass one yet gets a set built
 * once per event store.
 */
export const commandsFor = (services: Pick<Services, 'store' | 'commands'>): CommandHandlers => {
  if (services.commands) return services.commands;
  let handlers = fallback.get(services.store);
  if (!handlers) {
    handlers = createCommandHandlers(services.store);
    fallback.set(services.store, handlers);
  }
  return handlers;
};
