import type { DefaultConnectionArguments } from '@pothos/plugin-relay';
import { type GraphQLResolveInfo, GraphQLError } from 'graphql';
import { parseOptionalText, VM_NAME_MAX, type VmRequestStatus } from '../../domain/index.ts';
import type { GraphQLContext } from '../context.ts';
import { requirePrincipal } from '../principal.ts';
import { CONNECTION_NODES, selectedColumns } from '../read/vm-request-columns.ts';
import { vmRequestConnection } from './vm-request-connection.ts';

/** A VmRequestFilter's conditions, with the project already resolved to its UUID. */
export interface VmRequestListInput {
  projectId: string | null;
  status?: readonly VmRequestStatus[] | null | undefined;
  mine?: boolean | null | undefined;
  search?: string | null | undefined;
}

/**
 * The search text, trimmed (blank: no search). A VM name is at most VM_NAME_MAX characters, so a longer search can
 * match nothing and is refused as a mistake, before anything is read.
 */
const parseSearch = (input: string | null | undefined): string | undefined => {
  const parsed = parseOptionalText(input, 'search', { label: 'Search', max: VM_NAME_MAX });
  if (!parsed.ok) {
    throw new GraphQLError(parsed.error.message, { extensions: { code: 'BAD_USER_INPUT', field: 'filter.search' } });
  }
  return parsed.value;
};

/** Query.vmRequests and Project.vmRequests: the caller's visible requests matching `filter`, newest first. */
export const vmRequestList = (
  context: GraphQLContext,
  filter: VmRequestListInput,
  args: DefaultConnectionArguments,
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
) =>
  vmRequestConnection(
    context.db,
    requirePrincipal(context),
    { projectId: filter.projectId, statuses: filter.status, mine: filter.mine, search: parseSearch(filter.search) },
    'newest-first',
    args,
    selectedColumns(info, CONNECTION_NODES),
  );
