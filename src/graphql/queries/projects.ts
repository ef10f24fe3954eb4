import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { requirePrincipal } from '../principal.ts';
import { encodePageCursor } from '../read/page-cursor.ts';
import { countProjects, pageOfProjects, type ProjectSortedView } from '../read/projects.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ProjectConnection } from '../types/connections.ts';
import { ProjectRef } from '../types/project.ts';
import { withCounts } from './counted-connection.ts';

builder.queryField('projects', (t) =>
  t.connection(
    {
      type: ProjectRef,
      description: 'Projects visible to the caller, oldest first.',
      resolve: async (_root, args, context) => {
        const principal = requirePrincipal(context);
        const connection = await resolveCursorConnection(
          {
            args,
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: MAX_PAGE_SIZE,
            toCursor: (project: ProjectSortedView) => encodePageCursor({ createdAt: project.sortKey ?? '', id: project.id }),
          },
          (page: ResolveCursorConnectionArgs) => pageOfProjects(context.db, principal, page),
        );
        let total: Promise<number> | undefined;
        return withCounts(connection, { total: () => (total ??= countProjects(context.db, principal)) });
      },
    },
    ProjectConnection,
  ),
);
