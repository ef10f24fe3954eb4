import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { createIpAllocator } from '../../../src/provisioning/ip-allocations.ts';
import { dbTest } from '../../support/db-test.ts';

const test = dbTest.override('poolSize', 30);
const pool = { cidr: '10.20.0.0/27', gateway: '10.20.0.1', dnsServers: [], dnsDomain: null };
let tenants = 0;
const tenant = () => `ip-${++tenants}-${Date.now().toString(36)}`;

describe('the IP allocator', () => {
  test('40 parallel allocations (from two allocators) in a /27: 29 distinct host addresses, lowest first, then a full pool', async ({ sql }) => {
    const t = tenant();
    const [a, b] = [createIpAllocator(sql), createIpAllocator(sql)];
    const requests = Array.from({ length: 40 }, () => randomUUID());
    const outcomes = await Promise.allSettled(requests.map((id, i) => (i % 2 ? a : b).allocate(t, id, pool)));
    const addresses = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    // 32 addresses less network, broadcast and gateway.
    expect(addresses).toHaveLength(29);
    expect(new Set(addresses).size).toBe(29);
    const expected = Array.from({ length: 29 }, (_, i) => `10.20.0.${i + 2}`);
    expect([...addresses].sort((x, y) => Number(x.split('.')[3]) - Number(y.split('.')[3]))).toEqual(expected);
    for (const failed of outcomes.filter((o) => o.status === 'rejected')) {
      expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: 'INSUFFICIENT_RESOURCES' });
    }
    const [rows] = await sql<{ n: number }[]>`select count(*)::int as n from ip_allocations where tenant_id = ${t}`;
    expect(rows!.n).toBe(29);
  });

  test('a request keeps its address on every call, even when called in parallel; release frees it for the next', async ({ sql }) => {
    const t = tenant();
    const allocator = createIpAllocator(sql);
    const id = randomUUID();
    const same = await Promise.all(Array.from({ length: 10 }, () => allocator.allocate(t, id, pool)));
    expect(new Set(same)).toEqual(new Set(['10.20.0.2']));
    expect(await allocator.allocate(t, id, pool)).toBe('10.20.0.2');
    const other = randomUUID();
    expect(await allocator.allocate(t, other, pool)).toBe('10.20.0.3');
    await allocator.release(t, id);
    await allocator.release(t, id);
    expect(await allocator.allocate(t, randomUUID(), pool)).toBe('10.20.0.2');
    expect(await allocator.allocate(t, other, pool)).toBe('10.20.0.3');
  });

  test('tenants have pools of their own: the same address in two tenants', async ({ sql }) => {
    const allocator = createIpAllocator(sql);
    expect(await allocator.allocate(tenant(), randomUUID(), pool)).toBe('10.20.0.2');
    expect(await allocator.allocate(tenant(), randomUUID(), pool)).toBe('10.20.0.2');
  });
});
