import type postgres from 'postgres';
import { verifyStream } from '../event-store/verify.ts';
import { describeAhead, readModelsAhead } from './read-model-check.ts';
import { latestSeal } from './seals.ts';

/** Something wrong with the audit trail, at an event when one can be named. */
export interface AuditProblem {
  position: bigint | null;
  streamId: string | null;
  streamVersion: number | null;
  reason: string;
}

export interface StreamAudit {
  streamId: string;
  /** False when the log, the chain and the read models know nothing of this stream. */
  found: boolean;
  intact: boolean;
  /** Events of the stream checked. */
  checked: number;
  /** First problem first. */
  problems: AuditProblem[];
  /** Position of the newest seal's head (the log up to there is signed), or null before the first seal. */
  sealedUpTo: bigint | null;
}

interface ChainedRow {
  seq: string;
  position: string;
  stream_version: number;
  present: boolean;
  same: boolean;
  linked: boolean;
}

/**
 * One stream's audit trail, all read in one snapshot (a read model checked against a later log could look ahead):
 * its hash chain (content and links), every event the global chain holds for it still present and unchanged, no
 * event that the chain has passed without chaining it, each chained row following from its predecessor, and no
 * read model row ahead of it. The chain table itself is checked against the signed seals by `verifyLog`, which
 * walks the whole log; this check is what a request's `auditTrail.verified` shows.
 */
export async function verifyStreamAudit(sql: postgres.Sql, streamId: string): Promise<StreamAudit> {
  return (await sql.begin('isolation level repeatable read read only', async (tx) => {
    const stream = await verifyStream(tx, streamId);
    const problems: AuditProblem[] = [];
    if (!stream.intact) {
      problems.push({ position: stream.position, streamId, streamVersion: stream.streamVersion, reason: stream.reason });
    }
    const chained = await tx<ChainedRow[]>`
      select c.seq::text, c.position::text, c.stream_version,
             e.position is not null as present,
             coalesce(e.stream_id = c.stream_id and e.stream_version = c.stream_version and e.hash = encode(c.event_hash, 'hex'), false) as same,
             c.chain_hash = sha256(coalesce(p.chain_hash, decode(repeat('00', 32), 'hex'))
                                   || int8send(c.position) || c.event_hash)
               and (p.seq is not null or c.seq = 1) as linked
      from audit_chain c
      left join events e on e.position = c.position
      left join audit_chain p on p.seq = c.seq - 1
      where c.stream_id = ${streamId}
      order by c.seq`;
    for (const row of chained) {
      const at = { position: BigInt(row.position), streamId, streamVersion: row.stream_version };
      if (!row.present) problems.push({ ...at, reason: `version ${row.stream_version} was chained as #${row.seq} and is missing from the log` });
      else if (!row.same) problems.push({ ...at, reason: `version ${row.stream_version} differs from the event chained as #${row.seq}` });
      if (!row.linked) problems.push({ ...at, reason: `chain row #${row.seq} does not follow from its predecessor: the chain table was altered` });
    }
    const unchained = await tx<{ position: string; stream_version: number }[]>`
      select e.position::text, e.stream_version
      from events e, (select transaction_id, position from audit_chain order by seq desc limit 1) head
      where e.stream_id = ${streamId} and (e.transaction_id, e.position) < (head.transaction_id, head.position)
        and not exists (select 1 from audit_chain c where c.position = e.position)
      order by e.position`;
    for (const row of unchained) {
      problems.push({
        position: BigInt(row.position),
        streamId,
        streamVersion: row.stream_version,
        reason: `version ${row.stream_version} sorts before the chain's head but was never chained: inserted afterwards`,
      });
    }
    const ahead = await readModelsAhead(tx, streamId);
    for (const row of ahead) problems.push({ position: null, streamId, streamVersion: row.version, reason: describeAhead(row) });
    const seal = await latestSeal(tx);
    problems.sort((a, b) => (a.position === null ? 1 : b.position === null ? -1 : a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    return {
      streamId,
      found: stream.checked > 0 || chained.length > 0 || ahead.length > 0,
      intact: problems.length === 0,
      checked: stream.checked,
      problems,
      sealedUpTo: seal?.position ?? null,
    };
  })) as StreamAudit;
}
