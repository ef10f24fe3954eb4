import type { Sql } from '../event-store/index.ts';

export interface Candidate {
  requestId: string;
  tenantId: string;
}

/**
 * Requests whose VM should exist: provisioning ended READY and no VM operation is under way (a job that ended in
 * DONE or OPERATION_FAILED leaves a READY request; DECOMMISSIONED and SKIPPED ones have no VM). Where a request
 * stands for sure is read from its stream before anything is recorded; this only picks whom to look at.
 * Keyset by request id after `after`, so a round covers `limit` of them and the next carries on.
 */
export async function reconcileCandidates(sql: Sql, after: string | null, limit: number): Promise<Candidate[]> {
  const rows = await sql<{ request_id: string; tenant_id: string }[]>`
    select request_id::text, tenant_id from provisioning_jobs
    where status = 'DONE' and outcome in ('READY', 'DONE', 'OPERATION_FAILED')
      ${after === null ? sql`` : sql`and request_id > ${after}::uuid`}
    order by request_id
    limit ${limit}`;
  return rows.map((row) => ({ requestId: row.request_id, tenantId: row.tenant_id }));
}
