import { type CommandHandlers, createCommandHandlers } from '../commands/index.ts';
import type { DomainError, DomainResult } from '../domain/index.ts';
import type { EventStore } from '../event-store/index.ts';
import { demoAdmin, demoUser } from './users.ts';

export interface SeedResult {
  /** False when the demo data was there already (every command was a repeat). */
  created: boolean;
  projectIds: string[];
  vmRequestId: string;
}

const PROJECTS = [
  { key: 'demo:project:web-shop', name: 'Web Shop', description: 'Customer-facing shop and its staging systems' },
  { key: 'demo:project:data-platform', name: 'Data Platform', description: 'Analytics pipelines and warehouse' },
] as const;

/**
 * The demo tenant through the real command handlers: the admin creates two projects and adds the user to both;
 * the user asks for one VM, which waits in the admin's queue. Every command carries a fixed idempotency key, so
 * seeding twice (or two instances seeding at once) writes everything exactly once. A running service passes its
 * own handlers, so what the seed decides lands in the project cache the API decides with.
 */
export async function seedDemo(store: EventStore, commands: CommandHandlers = createCommandHandlers(store)): Promise<SeedResult> {
  const projectIds: string[] = [];
  let created = false;
  for (const project of PROJECTS) {
    const result = must(
      await commands.createProject(demoAdmin, { name: project.name, description: project.description }, { idempotencyKey: project.key }),
      `create project ${project.name}`,
    );
    created ||= !result.duplicate;
    projectIds.push(result.id);
    const member = must(
      await commands.addProjectMember(
        demoAdmin,
        { projectId: result.id, userId: demoUser.userId, role: 'MEMBER' },
        { idempotencyKey: `${project.key}:member:${demoUser.userId}` },
      ),
      `add ${demoUser.userId} to ${project.name}`,
    );
    created ||= !member.duplicate && member.events.length > 0;
  }
  const request = must(
    await commands.createVmRequest(
      demoUser,
      {
        projectId: projectIds[0]!,
        vmName: 'shop-staging-01',
        size: 'M',
        justification: 'Staging server for the spring release of the web shop',
      },
      { idempotencyKey: 'demo:vm-request:shop-staging-01' },
    ),
    'create the demo VM request',
  );
  created ||= !request.duplicate;
  return { created, projectIds, vmRequestId: request.id };
}

/** True when the event store holds no event at all: a fresh database that `npm start` may seed. */
export async function isEmptyStore(store: EventStore): Promise<boolean> {
  const [row] = await store.sql<{ empty: boolean }[]>`select not exists (select 1 from events) as empty`;
  return row?.empty ?? false;
}

function must<T>(result: DomainResult<T>, what: string): T {
  if (result.ok) return result.value;
  throw new Error(`demo seed: ${what} was refused: ${describe(result.error)}`);
}

function describe(error: DomainError): string {
  return `${error.code} ${error.message}`;
}
