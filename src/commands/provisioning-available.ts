import type postgres from 'postgres';
import type { DomainError } from '../domain/index.ts';
import { hasVmwareConnection } from './vmware-connection-store.ts';

/**
 * Where simulation of unconfigured tenants is off: an approval in a tenant without a vCenter connection is refused,
 * since nothing could ever provision it (it would only fail later with HYPERVISOR_NOT_CONFIGURED). Read from the
 * connection table in the approval's transaction, never from a projection.
 */
export const requireVmwareConnection = async (tx: postgres.TransactionSql, tenantId: string): Promise<DomainError | null> =>
  (await hasVmwareConnection(tx, tenantId))
    ? null
    : {
        code: 'PROVISIONING_NOT_CONFIGURED',
        message:
          "This tenant has no vCenter connection, so an approved request could not be provisioned: a tenant admin sets one first (setVmwareConnection)",
      };
