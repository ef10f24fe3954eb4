import {
  type DefaultConnectionArguments,
  resolveCursorConnection,
  type ResolveCursorConnectionArgs,
} from '@pothos/plugin-relay';
import type { DrizzleDb } from '../../db/client.ts';
import type { Principal } from '../../domain/index.ts';
import type { SortDirection } from '../read/keyset.ts';
import { encodePageCursor } from '../read/page-cursor.ts';
import { vmRequestCounts } from '../read/vm-request-counts.ts';
import { pageOfVmRequests, type VmRequestListFilter } from '../read/vm-requests.ts';
import { withCounts } from './counted-connection.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../types/connections.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import type { VmRequestColumn } from '../read/vm-request-columns.ts';

/**
 * A page of visible requests as a Relay connection, keyset-paginated in `direction` order of creation, with the
 * filter's counts for the connection's totalCount and statusCounts (read only if those are selected). `columns`: what
 * the selection reads of each request (read/vm-request-columns.ts).
 */
export const vmRequestConnection = async (
  db: DrizzleDb,
  principal: Principal,
  filter: VmRequestListFilter,
  direction: SortDirection,
  args: DefaultConnectionArguments,
  columns: readonly VmRequestColumn[] | null,
) => {
  const connection = await resolveCursorConnection(
    {
      args,
      defaultSize: DEFAULT_PAGE_SIZE,
      maxSize: MAX_PAGE_SIZE,
      toCursor: (request: VmRequestView) => encodePageCursor({ createdAt: request.sortKey ?? '', id: request.id }),
    },
    (page: ResolveCursorConnectionArgs) => pageOfVmRequests(db, principal, filter, direction, page, columns),
  );
  return withCounts(connection, vmRequestCounts(db, principal, filter));
};
