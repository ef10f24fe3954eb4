import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { startSealer } from '../../../src/audit/sealer.ts';
import { verifyLog } from '../../../src/audit/verify-log.ts';
import type { Sql } from '../../../src/db/client.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from '../event-store/fixtures.ts';
import { newSealKey } from './fixtures.ts';

const { key } = newSealKey();

dbTest.override('poolSize', 24);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long leadership, a failure or a recovery may take to show in the sealer. */
const POLL = { timeout: 20_000, interval: 20 };

/** The chain as stored, beside the log in its gap-safe order. */
async function chainAndLog(sql: Sql) {
  const chain = await sql<{ seq: string; position: string }[]>`select seq::text, position::text from audit_chain order by audit_chain.seq`;
  const log = await sql<{ position: string }[]>`select position::text from events order by events.transaction_id, events.position`;
  return { chain, log };
}

describe('sealer', () => {
  dbTest('two sealers: one leads and seals; when it stops, the other takes over from the head in the database', async ({ sql, store }) => {
    const logs: string[] = [];
    const a = await startSealer({ sql, key, chainIntervalMs: 50, sealIntervalMs: 100, applicationName: 'sealer-a', log: (l) => logs.push(`a ${l}`) });
    const b = await startSealer({ sql, key, chainIntervalMs: 50, sealIntervalMs: 100, applicationName: 'sealer-b', log: (l) => logs.push(`b ${l}`) });
    try {
      await store.append(randomUUID(), 'no_stream', [event(1), event(2)], options());
      expect([a.status().leading, b.status().leading].filter(Boolean)).toHaveLength(1);
      const [leader, standby] = a.status().leading ? [a, b] : [b, a];
      expect(await standby.sealNow()).toBeNull();
      const first = await leader.sealNow();
      expect(first).not.toBeNull();
      // The standby wrote nothing: every chain row and seal is the leader's, numbered without holes.
      const seals = await sql<{ seal_no: string }[]>`select seal_no::text from audit_seals order by audit_seals.seal_no`;
      expect(seals.map((s) => s.seal_no)).toEqual(Array.from({ length: seals.length }, (_, i) => String(i + 1)));

      await leader.stop();
      await expect.poll(() => standby.status().leading, { ...POLL, message: 'the standby to take over' }).toBe(true);
      await store.append(randomUUID(), 'no_stream', [event(1)], options());
      const next = await standby.sealNow();
      expect(next!.sealNo).toBeGreaterThan(first!.sealNo);
      const { chain, log } = await chainAndLog(sql);
      expect(chain.map((row) => row.position)).toEqual(log.map((row) => row.position));
      const audit = await verifyLog(sql, { publicKeys: [key.publicKey] });
      expect(audit.problems).toEqual([]);
      expect(audit.sealProblems).toEqual([]);
      expect(audit.intact).toBe(true);
      expect(audit.lastSeal?.seal).toBe(next!.sealNo);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(logs.filter((l) => l.includes('failed'))).toEqual([]);
  });

  dbTest('appends during sealing are all chained exactly once, in global order', async ({ sql, store }) => {
    const sealers = await Promise.all(
      ['x', 'y'].map((name) => startSealer({ sql, key, chainIntervalMs: 5, sealIntervalMs: 20, batchSize: 7, applicationName: `sealer-${name}`, log: () => {} })),
    );
    try {
      const leader = sealers.find((s) => s.status().leading)!;
      expect(leader).toBeDefined();
      const sealedBefore = (await leader.sealNow())!.seq;
      // 8 writers, some appending several events in one transaction, while the sealer chains every few milliseconds
      // in batches small enough to end inside a transaction's events. Writer 0 also seals now and then, so seals
      // surely fall between appends that are still coming.
      const midway: bigint[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, writer) => {
          for (let i = 0; i < 24; i++) {
            const events = Array.from({ length: 1 + ((writer + i) % 3) }, (_, n) => event(n + 1));
            await store.append(randomUUID(), 'no_stream', events, options());
            if (writer === 0 && (i === 7 || i === 15)) midway.push((await leader.sealNow())!.seq);
          }
        }),
      );
      const last = (await leader.sealNow())!.seq;
      expect(midway).toHaveLength(2);
      for (const seq of midway) {
        expect(seq).toBeGreaterThan(sealedBefore);
        expect(seq).toBeLessThan(last);
      }
      const { chain, log } = await chainAndLog(sql);
      expect(chain).toHaveLength(log.length);
      expect(BigInt(chain.length)).toBe(last);
      expect(new Set(chain.map((row) => row.position)).size).toBe(chain.length);
      expect(chain.map((row) => row.position)).toEqual(log.map((row) => row.position));
      const audit = await verifyLog(sql, { publicKeys: [key.publicKey] });
      expect(audit.problems).toEqual([]);
      expect(audit.sealProblems).toEqual([]);
      expect(audit.sealsChecked).toBeGreaterThan(3);
    } finally {
      await Promise.all(sealers.map((s) => s.stop()));
    }
    // Each sealNow waits for the server-wide gap-safe horizon, which transactions in other databases hold back.
  }, 240_000);

  dbTest('without a key it keeps the chain and signs nothing', async ({ sql, store }) => {
    const sealer = await startSealer({ sql, key: null, chainIntervalMs: 3_600_000, log: () => {} });
    try {
      const before = (await sql`select count(*)::int as n from audit_seals`)[0]!.n as number;
      await store.append(randomUUID(), 'no_stream', [event(1)], options());
      expect(await sealer.sealNow()).toBeNull();
      const { chain, log } = await chainAndLog(sql);
      expect(chain).toHaveLength(log.length);
      expect((await sql`select count(*)::int as n from audit_seals`)[0]!.n).toBe(before);
    } finally {
      await sealer.stop();
    }
  });
  dbTest('logs a chaining outage once, whatever its errors say, and once more when chaining works again', async ({ sql, store }) => {
    const logs: string[] = [];
    const sealer = await startSealer({ sql, key, chainIntervalMs: 20, sealIntervalMs: 100, applicationName: 'sealer-outage', log: (l) => logs.push(l) });
    const failed = () => logs.filter((l) => l.includes(' failed: '));
    try {
      await expect.poll(() => sealer.status().leading, { ...POLL, message: 'the sealer to lead' }).toBe(true);
      // The chain table gone, then back without its columns: every tick fails, with two different messages.
      await sql`alter table audit_chain rename to audit_chain_away`;
      await expect.poll(() => failed().length, { ...POLL, message: 'the first failure' }).toBeGreaterThan(0);
      await sql`create table audit_chain (unused int)`;
      await sleep(400);
      await sql`drop table audit_chain`;
      await sleep(200);
      expect(failed()).toHaveLength(1);
      expect(failed()[0]).toMatch(/^\[audit\] chaining \(every 20 ms\) failed: relation "audit_chain" does not exist;/);
    } finally {
      await sql`drop table if exists audit_chain`;
      await sql`alter table if exists audit_chain_away rename to audit_chain`;
    }
    try {
      await expect.poll(() => logs.some((l) => l.includes('works again')), { ...POLL, message: 'the recovery line' }).toBe(true);
      await store.append(randomUUID(), 'no_stream', [event(1)], options());
      await sealer.sealNow();
      expect(failed()).toHaveLength(1);
      expect(logs.filter((l) => l.includes('works again'))).toEqual([expect.stringMatching(/^\[audit\] chaining \(every 20 ms\) works again after \d+\.\d s \(\d+ failed attempt\(s\)\)$/)]);
    } finally {
      await sealer.stop();
    }
  });
});
