import { and, count } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import { type Principal, VM_REQUEST_STATUSES, type VmRequestStatus } from '../../domain/index.ts';
import { vmRequests } from '../../projections/vm-requests.table.ts';
import { listConditions, type VmRequestListFilter } from './vm-requests.ts';

export interface StatusCount {
  status: VmRequestStatus;
  count: number;
}

/**
 * A list's counts, each read only when first asked for (a connection's totalCount and statusCounts fields call
 * these, so a query that selects neither costs no count) and then kept for the rest of the operation.
 */
export interface VmRequestCounts {
  total(): Promise<number>;
  byStatus(): Promise<StatusCount[]>;
}

const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};

/** Every status with 0: for a filter nothing can match. */
export const noCounts: VmRequestCounts = {
  total: async () => 0,
  byStatus: async () => VM_REQUEST_STATUSES.map((status) => ({ status, count: 0 })),
};

/** Counts of the rows `filter` matches for `principal`, under the same conditions as its pages. */
export const vmRequestCounts = (db: DrizzleDb, principal: Principal, filter: VmRequestListFilter): VmRequestCounts => ({
  total: once(async () => {
    const [row] = await db
      .select({ n: count() })
      .from(vmRequests)
      .where(and(...listConditions(principal, filter)));
    return row?.n ?? 0;
  }),
  // The status filter is left out, so a client can show every status's count while one of them is selected.
  byStatus: once(async () => {
    const rows = await db
      .select({ status: vmRequests.status, n: count() })
      .from(vmRequests)
      .where(and(...listConditions(principal, filter, false)))
      .groupBy(vmRequests.status);
    const byStatus = new Map(rows.map((row) => [row.status, row.n]));
    return VM_REQUEST_STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 }));
  }),
});
