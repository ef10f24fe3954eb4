import type { CommandHandlers } from '../../commands/index.ts';
import type { Services } from '../context.ts';

/**
 * The command handlers the mutations run: the process's one set from Services, so GraphQL, provisioning and the demo
 * seed decide against one project cache (main.ts builds it).
 */
export const commandsFor = (services: Pick<Services, 'commands'>): CommandHandlers => services.commands;
