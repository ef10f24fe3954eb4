import type postgres from 'postgres';
import type { VmwareSettings } from '../domain/index.ts';

/** A tenant's connection as the vmware_connections table holds it (written with its stream's events). */
export interface StoredVmwareConnection {
  tenantId: string;
  version: number;
  settings: VmwareSettings;
  /** Encrypted (src/secrets/); open with passwordContext(tenantId). */
  passwordSecret: string;
  updatedAt: Date;
  updatedBy: string;
}

interface Row {
  tenant_id: string;
  version: number;
  settings: VmwareSettings;
  password_secret: string;
  updated_at: Date;
  updated_by: string;
}

/** The tenant's connection, or null when it has none. Not a projection: never behind the events. */
export const readVmwareConnection = async (sql: postgres.Sql, tenantId: string): Promise<StoredVmwareConnection | null> => {
  const [row] = await sql<Row[]>`
    select tenant_id, version, settings, password_secret, updated_at, updated_by
    from vmware_connections where tenant_id = ${tenantId}`;
  return row ? toStored(row) : null;
};

const toStored = (row: Row): StoredVmwareConnection => ({
  tenantId: row.tenant_id,
  version: row.version,
  settings: row.settings,
  passwordSecret: row.password_secret,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

/**
 * Mirrors VmwareConnectionChanged into the table, in its append's transaction. A null `passwordSecret` keeps the
 * stored one (the decider required a password when there was none).
 */
export const writeVmwareConnection = async (
  tx: postgres.TransactionSql,
  row: { tenantId: string; version: number; settings: VmwareSettings; passwordSecret: string | null; updatedAt: Date; updatedBy: string },
): Promise<void> => {
  // As text, cast in SQL: the driver serialises only what the server's inferred parameter type takes as text.
  const settings = JSON.stringify(row.settings);
  if (row.passwordSecret === null) {
    const updated = await tx`
      update vmware_connections set version = ${row.version}, settings = ${settings}::text::jsonb, updated_at = ${row.updatedAt.toISOString()}::timestamptz,
        updated_by = ${row.updatedBy}
      where tenant_id = ${row.tenantId}`;
    if (updated.count !== 1) throw new Error(`vmware_connections has no row for tenant ${row.tenantId} to keep the password of`);
    return;
  }
  await tx`
    insert into vmware_connections (tenant_id, version, settings, password_secret, updated_at, updated_by)
    values (${row.tenantId}, ${row.version}, ${settings}::text::jsonb, ${row.passwordSecret}, ${row.updatedAt.toISOString()}::timestamptz, ${row.updatedBy})
    on conflict (tenant_id) do update set version = excluded.version, settings = excluded.settings,
      password_secret = excluded.password_secret, updated_at = excluded.updated_at, updated_by = excluded.updated_by`;
};

export const deleteVmwareConnection = async (tx: postgres.TransactionSql, tenantId: string): Promise<void> => {
  await tx`delete from vmware_connections where tenant_id = ${tenantId}`;
};

/**
 * For an approval, in its append's transaction: whether the tenant has a connection, its row locked shared so a
 * removal committing meanwhile waits for the approval (and the approval never goes through on a connection that is
 * being removed).
 */
export const hasVmwareConnection = async (tx: postgres.TransactionSql, tenantId: string): Promise<boolean> => {
  const rows = await tx`select 1 from vmware_connections where tenant_id = ${tenantId} for share`;
  return rows.length > 0;
};
