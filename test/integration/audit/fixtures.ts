import { generateKeyPairSync } from 'node:crypto';
import { chainHash, GENESIS } from '../../../src/audit/chain-hash.ts';
import { parsePrivateKey, type SealKey } from '../../../src/audit/seal-key.ts';
import type { TransactionSql } from 'postgres';
import type { Sql } from '../../../src/db/client.ts';

/** A fresh Ed25519 seal key, as DVMM_SEAL_KEY would give it (base64 PKCS#8). */
export function newSealKey(): { key: SealKey; base64: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const base64 = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  return { key: parsePrivateKey(base64, 'test key'), base64 };
}

/**
 * Runs statements as a superuser attacker would: with every trigger of the audited tables (immutability, linking)
 * disabled, then enabled again.
 */
export async function asAttacker(sql: Sql, work: string[] | ((tx: TransactionSql) => Promise<void>)): Promise<void> {
  await sql.begin(async (tx) => {
    for (const table of AUDITED) await tx.unsafe(`alter table ${table} disable trigger user`);
    if (typeof work === 'function') await work(tx);
    else for (const statement of work) await tx.unsafe(statement);
    for (const table of AUDITED) await tx.unsafe(`alter table ${table} enable trigger user`);
  });
}

const AUDITED = ['events', 'audit_chain', 'audit_seals'];

/** Rewrites one event's content and hash, re-links the rest of its stream, and recomputes the chain table to match. */
export async function rewriteConsistently(sql: Sql, position: bigint, data: string): Promise<void> {
  const [event] = await sql<{ stream_id: string; stream_version: number }[]>`
    select stream_id, stream_version from events where position = ${position.toString()}`;
  const later = await sql<{ position: string }[]>`
    select position::text from events where stream_id = ${event!.stream_id} and stream_version >= ${event!.stream_version}
    order by stream_version`;
  const rehash = (p: string) => `
    update events e set prev_hash = (select hash from events p where p.stream_id = e.stream_id and p.stream_version = e.stream_version - 1)
    where position = ${p};
    update events set hash = dvmm_event_hash(position, stream_id, stream_type, stream_version, event_type, schema_version,
      data, metadata, tenant_id, recorded_at, prev_hash) where position = ${p};`;
  await asAttacker(sql, [`update events set data = '${data}' where position = ${position}`, ...later.map((row) => rehash(row.position))]);
  const rows = await sql<{ seq: string; position: string; hash: string }[]>`
    select c.seq::text, c.position::text, e.hash from audit_chain c join events e using (position) order by c.seq`;
  await asAttacker(sql, async (tx) => {
    let hash = GENESIS;
    for (const row of rows) {
      hash = chainHash(hash, BigInt(row.position), row.hash);
      await tx`update audit_chain set event_hash = decode(${row.hash}, 'hex'), chain_hash = ${hash} where seq = ${row.seq}`;
    }
  });
}

export const lines = (): { out: (line: string) => void; text: () => string; all: string[] } => {
  const all: string[] = [];
  return { out: (line) => all.push(line), text: () => all.join('\n'), all };
};
