import type postgres from 'postgres';
import { formatIpv4, parseCidr, parseIpv4 } from '../domain/ipv4.ts';
import { HypervisorError } from './hypervisor-error.ts';
import type { IpAllocator, VsphereIpPool } from './vsphere/settings.ts';

/**
 * Guest addresses from a tenant's pool, kept in ip_allocations. A request gets the lowest free host address of the
 * pool (never the network, broadcast or gateway address, nor a DNS server of the pool), and the same one on every
 * later call, until released.
 *
 * Allocations of one tenant take a transaction-scoped advisory lock on the tenant, then read what is taken: so two
 * allocations, in one process or in several, never pick the same address, and none has to retry. The unique
 * (tenant, address) constraint stands behind that. A full pool is INSUFFICIENT_RESOURCES (retried: addresses come
 * back as VMs are deleted).
 */
export function createIpAllocator(sql: postgres.Sql): IpAllocator {
  return {
    async allocate(tenantId, requestId, pool) {
      const held = await addressOf(sql, tenantId, requestId);
      if (held) return held;
      return sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended(${`ip-allocations:${tenantId}`}, 0))`;
        // Another attempt of this request may have allocated while we waited for the lock.
        const again = await addressOf(tx, tenantId, requestId);
        if (again) return again;
        const address = firstFree(pool, await takenBy(tx, tenantId));
        await tx`insert into ip_allocations (tenant_id, request_id, address) values (${tenantId}, ${requestId}, ${address})`;
        return address;
      });
    },
    async release(tenantId, requestId) {
      await sql`delete from ip_allocations where tenant_id = ${tenantId} and request_id = ${requestId}`;
    },
  };
}

const addressOf = async (sql: postgres.Sql | postgres.TransactionSql, tenantId: string, requestId: string): Promise<string | null> => {
  const [row] = await sql<{ address: string }[]>`
    select address from ip_allocations where tenant_id = ${tenantId} and request_id = ${requestId}`;
  return row?.address ?? null;
};

const takenBy = async (tx: postgres.TransactionSql, tenantId: string): Promise<Set<number>> => {
  const rows = await tx<{ address: string }[]>`select address from ip_allocations where tenant_id = ${tenantId}`;
  return new Set(rows.map((row) => parseIpv4(row.address)).filter((value): value is number => value !== null));
};

/** The lowest host address of `pool` that is not taken, the gateway, or one of its DNS servers. */
export function firstFree(pool: VsphereIpPool, taken: ReadonlySet<number>): string {
  const block = parseCidr(pool.cidr);
  if (!block) throw new HypervisorError('VM_CONFIG_INVALID', `The IP pool ${pool.cidr} is not an IPv4 CIDR block`);
  // A DNS server inside the pool is a host already on that network: handing its address to a VM would clash.
  const reserved = [pool.gateway, ...pool.dnsServers].map(parseIpv4).filter((value): value is number => value !== null);
  const unavailable = (address: number) => taken.has(address) || reserved.includes(address);
  // Candidates are the first host and each address right after an unavailable one: the lowest free address is
  // always one of them, so a large pool is never walked address by address.
  const candidates = [block.network + 1, ...[...taken, ...reserved].map((address) => address + 1)]
    .filter((address) => address > block.network && address < block.broadcast && !unavailable(address))
    .sort((a, b) => a - b);
  const [first] = candidates;
  if (first === undefined) {
    throw new HypervisorError('INSUFFICIENT_RESOURCES', `The IP pool ${pool.cidr} has no free address left (${taken.size} allocated)`);
  }
  return formatIpv4(first);
}
