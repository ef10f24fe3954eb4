import {
  type DefaultConnectionArguments,
  resolveCursorConnection,
  type ResolveCursorConnectionArgs,
} from '@pothos/plugin-relay';
import type { DrizzleDb } from '../../db/client.ts';
import type { Principal } from '../../domain/index.ts';
import type { SortDirection } from '../read/keyset.ts';
import { encodePageCursor } from '../read/page-cursor.ts';
import { pageOfVmRequests, type VmRequestListFilter } from '../read/vm-requests.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../types/connections.ts';
import type { VmRequestView } from '../views/vm-request.ts';

/** A page of visible requests as a Relay connection, keyset-paginated in `direction` order of creation. */
export const vmRequestConnection = (
  db: DrizzleDb,
  principal: Principal,
  filter: VmRequestListFilter,
  direction: SortDirection,
  args: DefaultConnectionArguments,
) =>
  resolveCursorConnection(
    {
      args,
      defaultSize: DEFAULT_PAGE_SIZE,
      maxSize: MAX_PAGE_SIZE,
      toCursor: (request: VmRequestView) => encodePageCursor({ createdAt: request.sortKey ?? '', id: request.id }),
    },
    (page: ResolveCursorConnectionArgs) => pageOfVmRequests(db, principal, filter, direction, page),
  );
