import { sql } from 'drizzle-orm';
import { projectQuotaHolds, projectQuotas } from '../../commands/index.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { isVmSize, NO_QUOTA, type QuotaLimits, vmSizeSpec } from '../../domain/index.ts';

/** What some of a project's requests add up to. */
export interface UsageFigures {
  vms: number;
  vcpus: number;
  memoryGb: number;
  diskGb: number;
  monthlyCostEur: number;
}

/** A project's quota and what counts against it, as one consistent reading of the quota ledger. */
export interface ProjectLedgerView {
  quota: QuotaLimits;
  /** READY requests. */
  running: UsageFigures;
  /** PENDING, APPROVED and PROVISIONING requests. */
  held: UsageFigures;
}

export const NO_USAGE: UsageFigures = { vms: 0, vcpus: 0, memoryGb: 0, diskGb: 0, monthlyCostEur: 0 };

export const addFigures = (a: UsageFigures, b: UsageFigures): UsageFigures => ({
  vms: a.vms + b.vms,
  vcpus: a.vcpus + b.vcpus,
  memoryGb: a.memoryGb + b.memoryGb,
  diskGb: a.diskGb + b.diskGb,
  monthlyCostEur: a.monthlyCostEur + b.monthlyCostEur,
});

interface LedgerRow extends Record<string, unknown> {
  project_id: string;
  max_vms: number | null;
  max_vcpus: number | null;
  max_ram_gb: number | null;
  max_storage_gb: number | null;
  running: boolean | null;
  size: string | null;
  vms: number | null;
  vcpus: number | null;
  ram_gb: number | null;
  disk_gb: number | null;
}

/**
 * The quota and usage of each of a tenant's projects, read from the ledger the commands check against
 * (src/commands/quota-ledger.ts) rather than a projection: it is never behind, and what it shows is exactly what the
 * next request is measured by. One statement, so limits and usage come from one snapshot and agree with each other.
 * A project without limits or requests gets NO_QUOTA and zeros.
 */
export const ledgerOf = async (
  db: DrizzleDb,
  tenantId: string,
  projectIds: readonly string[],
): Promise<Map<string, ProjectLedgerView>> => {
  const byProject = new Map<string, ProjectLedgerView>(
    projectIds.map((id) => [id, { quota: NO_QUOTA, running: NO_USAGE, held: NO_USAGE }]),
  );
  if (projectIds.length === 0) return byProject;
  const ids = `{${projectIds.join(',')}}`;
  const rows = await db.execute<LedgerRow>(sql`
    select p.id as project_id, q.max_vms, q.max_vcpus, q.max_ram_gb, q.max_storage_gb,
           h.running, h.size, h.vms, h.vcpus, h.ram_gb, h.disk_gb
    from unnest(${ids}::uuid[]) as p(id)
    left join ${projectQuotas} q on q.tenant_id = ${tenantId} and q.project_id = p.id
    left join lateral (
      select running, size, count(*)::int as vms, sum(vcpus)::int as vcpus, sum(ram_gb)::int as ram_gb,
             sum(disk_gb)::int as disk_gb
      from ${projectQuotaHolds}
      where tenant_id = ${tenantId} and project_id = p.id
      group by running, size
    ) h on true`);
  for (const row of rows) {
    const entry = byProject.get(row.project_id);
    if (!entry) continue;
    entry.quota = {
      maxVms: row.max_vms,
      maxVCpus: row.max_vcpus,
      maxRamGb: row.max_ram_gb,
      maxStorageGb: row.max_storage_gb,
    };
    if (row.size === null || row.vms === null) continue;
    // Amounts as held (the catalogue's at request time); the price is the catalogue's list price of the size.
    const price = isVmSize(row.size) ? vmSizeSpec(row.size).monthlyCostEur : 0;
    const figures: UsageFigures = {
      vms: row.vms,
      vcpus: row.vcpus ?? 0,
      memoryGb: row.ram_gb ?? 0,
      diskGb: row.disk_gb ?? 0,
      monthlyCostEur: row.vms * price,
    };
    if (row.running) entry.running = addFigures(entry.running, figures);
    else entry.held = addFigures(entry.held, figures);
  }
  return byProject;
};
