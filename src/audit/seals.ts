import type { Sql } from '../event-store/types.ts';
import type { ChainHead } from './chain-rows.ts';
import type { SealKey } from './seal-key.ts';
import { signSeal, type SignedSeal } from './seal-statement.ts';

export interface StoredSeal extends SignedSeal {
  sealNo: bigint;
  seq: bigint;
  position: bigint;
  sealedAt: Date;
}

interface SealRow {
  seal_no: string;
  seq: string;
  position: string;
  statement: string;
  signature: string;
  sealed_at: Date | string;
}

const toSeal = (row: SealRow): StoredSeal => ({
  sealNo: BigInt(row.seal_no),
  seq: BigInt(row.seq),
  position: BigInt(row.position),
  statement: row.statement,
  signature: row.signature,
  sealedAt: row.sealed_at instanceof Date ? row.sealed_at : new Date(row.sealed_at),
});

export async function latestSeal(sql: Sql): Promise<StoredSeal | null> {
  const [row] = await sql<SealRow[]>`
    select seal_no::text, seq::text, position::text, statement, signature, sealed_at
    from audit_seals order by audit_seals.seal_no desc limit 1`; // qualified: bare seal_no is the ::text output
  return row ? toSeal(row) : null;
}

/** The newest `count` seals, oldest first. */
export async function recentSeals(sql: Sql, count: number): Promise<StoredSeal[]> {
  const rows = await sql<SealRow[]>`
    select * from (
      select seal_no::text, seq::text, position::text, statement, signature, sealed_at
      from audit_seals order by audit_seals.seal_no desc limit ${count}
    ) newest order by seal_no::bigint`;
  return rows.map(toSeal);
}

/** Every seal in number order, for verification (a few thousand a day at most). */
export async function allSeals(sql: Sql): Promise<StoredSeal[]> {
  const rows = await sql<SealRow[]>`
    select seal_no::text, seq::text, position::text, statement, signature, sealed_at from audit_seals order by audit_seals.seal_no`;
  return rows.map(toSeal);
}

/**
 * Signs the chain's head and stores the seal as number `previous + 1`; the primary key refuses a second seal with
 * that number, so two sealers can never both seal (the loser's statement is dropped with its transaction).
 */
export async function sealHead(sql: Sql, head: ChainHead, previous: bigint, key: SealKey, now = new Date()): Promise<StoredSeal> {
  const sealNo = previous + 1n;
  const signed = signSeal(
    {
      seal: sealNo,
      count: head.seq,
      position: head.checkpoint.position,
      transactionId: head.checkpoint.transactionId,
      chainHash: head.chainHash.toString('hex'),
      sealedAt: now.toISOString(),
    },
    key,
  );
  await sql`
    insert into audit_seals (seal_no, seq, position, key_id, statement, signature, sealed_at)
    values (${sealNo.toString()}, ${head.seq.toString()}, ${head.checkpoint.position.toString()}, ${key.keyId},
            ${signed.statement}, ${signed.signature}, ${now.toISOString()}::timestamptz)`;
  return { ...signed, sealNo, seq: head.seq, position: head.checkpoint.position, sealedAt: now };
}
