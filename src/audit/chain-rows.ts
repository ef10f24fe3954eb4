import { gapSafeAfter } from '../event-store/read-all.ts';
import type { GlobalCheckpoint, Sql } from '../event-store/types.ts';
import { GENESIS, chainHash } from './chain-hash.ts';

/** The chain's last row; seq 0 with the genesis hash for an empty chain. */
export interface ChainHead {
  seq: bigint;
  checkpoint: GlobalCheckpoint;
  chainHash: Buffer;
}

export const EMPTY_HEAD: ChainHead = { seq: 0n, checkpoint: { transactionId: 0n, position: 0n }, chainHash: GENESIS };

export async function loadHead(sql: Sql): Promise<ChainHead> {
  const [row] = await sql<{ seq: string; transaction_id: string; position: string; chain_hash: Buffer }[]>`
    select seq::text, transaction_id::text, position::text, chain_hash from audit_chain order by audit_chain.seq desc limit 1`; // qualified: bare seq is the ::text output column
  if (!row) return EMPTY_HEAD;
  return {
    seq: BigInt(row.seq),
    checkpoint: { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) },
    chainHash: row.chain_hash,
  };
}

type ChainableRow = [position: string, transactionId: string, streamId: string, streamVersion: number, hash: string];

/**
 * The next committed events after `after`, with only what the chain needs, read through gapSafeAfter
 * (event-store/read-all.ts), whose comment explains why no event can later turn up before one handed out: so the
 * chain's order is final, and each event is chained exactly once.
 */
async function readChainable(sql: Sql, after: GlobalCheckpoint, limit: number): Promise<ChainableRow[]> {
  return (await sql`
    select position::text, transaction_id::text, stream_id, stream_version, hash
    from events
    ${gapSafeAfter(sql, after, limit)}`.values()) as unknown as ChainableRow[];
}

/**
 * Extends the chain by up to `limit` events from `head`; returns the new head (the same when nothing was readable).
 * The rows go in as one statement whose first seq is head.seq + 1: if another sealer extended the chain meanwhile,
 * the primary key refuses the whole statement, so a stale head can never fork the chain.
 */
export async function extendChain(sql: Sql, head: ChainHead, limit: number): Promise<ChainHead> {
  const rows = await readChainable(sql, head.checkpoint, limit);
  if (rows.length === 0) return head;
  const seqs: string[] = [];
  const transactionIds: string[] = [];
  const positions: string[] = [];
  const streamIds: string[] = [];
  const versions: number[] = [];
  const eventHashes: string[] = [];
  const chainHashes: string[] = [];
  let hash = head.chainHash;
  let seq = head.seq;
  for (const [position, transactionId, streamId, version, eventHash] of rows) {
    seq += 1n;
    hash = chainHash(hash, BigInt(position), eventHash);
    seqs.push(seq.toString());
    transactionIds.push(transactionId);
    positions.push(position);
    streamIds.push(streamId);
    versions.push(version);
    eventHashes.push(eventHash);
    chainHashes.push(hash.toString('hex'));
  }
  await sql`
    insert into audit_chain (seq, transaction_id, position, stream_id, stream_version, event_hash, chain_hash)
    select s, t::xid8, p, sid, v, decode(eh, 'hex'), decode(ch, 'hex')
    from unnest(${seqs}::bigint[], ${transactionIds}::text[], ${positions}::bigint[], ${streamIds}::text[],
                ${versions}::int[], ${eventHashes}::text[], ${chainHashes}::text[]) as r(s, t, p, sid, v, eh, ch)`;
  const last = rows[rows.length - 1]!;
  return { seq, checkpoint: { transactionId: BigInt(last[1]), position: BigInt(last[0]) }, chainHash: hash };
}
