import type postgres from 'postgres';

/**
 * Reserves a project name key for a tenant, inside the transaction that appends ProjectCreated. The primary key
 * (tenant_id, name_key) decides: an insert of a key another open transaction holds waits for it, then is skipped
 * if that one committed. So two concurrent creates of "Web" and "WEB" can never both commit. Returns false when
 * the name is taken (the caller then rolls the append back).
 */
export const reserveProjectName = async (
  tx: postgres.TransactionSql,
  tenantId: string,
  nameKey: string,
  projectId: string,
): Promise<boolean> => {
  const rows = await tx`
    insert into project_names (tenant_id, name_key, project_id)
    values (${tenantId}, ${nameKey}, ${projectId})
    on conflict do nothing
    returning project_id`;
  return rows.length === 1;
};
