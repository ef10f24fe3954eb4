import { GraphQLError } from 'graphql';
import { readProject } from '../../commands/index.ts';
import { isAdmin, memberOf, type Principal } from '../../domain/index.ts';
import type { EventStore } from '../../event-store/index.ts';
import { builder } from '../builder.ts';
import { mappingLiveErrors } from '../errors/live.ts';
import { idOf } from '../ids.ts';
import type { LiveChange } from '../live/vm-request-source.ts';
import { requirePrincipal } from '../principal.ts';
import { loadersFor, projectViewOf } from '../read/loaders.ts';
import { ProjectRef } from '../types/project.ts';
import type { ProjectView } from '../views/project.ts';

/** `first`, then whatever `rest` yields; ending either ends the feed. */
async function* startingWith<T, U>(first: T, rest: AsyncIterableIterator<U>): AsyncGenerator<T | U> {
  try {
    yield first;
    yield* rest;
  } finally {
    await rest.return?.();
  }
}

/**
 * The project if `principal` sees it (a tenant admin, or a member), folded from its stream rather than read from the
 * projects read model, so a member added a moment ago can subscribe at once.
 */
async function visibleProject(store: EventStore, principal: Principal, projectId: string): Promise<ProjectView | null> {
  const found = await readProject(store, principal, projectId);
  if (!found.ok || !(isAdmin(principal) || memberOf(found.value.state, principal.userId))) return null;
  return projectViewOf(principal.tenantId, projectId, found.value);
}

builder.subscriptionField('projectUsageChanged', (t) =>
  t.field({
    type: ProjectRef,
    description:
      'The project as it is now, then again after every change of any of its requests, whoever made it, so its ' +
      '`usage` (and `quota`) can be shown live to everyone who sees the project, members included (a member\'s ' +
      '`vmRequestChanges` holds only their own requests). Only the project is delivered, never the requests. ' +
      'A quota change alone is no request change: its mutation answers with the new figures. ' +
      'An absent or invisible project is an error with code NOT_FOUND (the two are not told apart).',
    args: { projectId: t.arg.id({ required: true, description: 'Project.id, or the bare UUID.' }) },
    subscribe: async (_root, args, context) => {
      const principal = requirePrincipal(context);
      const id = idOf(args.projectId, 'Project');
      if (!id) throw new GraphQLError('Project not found', { extensions: { code: 'NOT_FOUND' } });
      // Subscribed first, then read: a change committed after the read still reaches the feed, so what is shown is
      // never older than the newest change.
      const changes = await mappingLiveErrors(() => context.live.watchProjectUsage(principal, id));
      let project: ProjectView | null;
      try {
        project = await visibleProject(context.store, principal, id);
      } catch (error) {
        await changes.return?.();
        throw error;
      }
      if (!project) {
        await changes.return?.();
        throw new GraphQLError('Project not found', { extensions: { code: 'NOT_FOUND' } });
      }
      return startingWith<ProjectView, LiveChange>(project, changes);
    },
    // The change's project view, whose quota and usage are read as it is delivered (shared by its subscribers).
    resolve: (value: ProjectView | LiveChange, _args, context) =>
      'kind' in value && value.kind === 'Project' ? value : loadersFor(context).projectOf((value as LiveChange).view),
  }),
);
