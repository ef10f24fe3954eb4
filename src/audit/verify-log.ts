import type { KeyObject } from 'node:crypto';
import type postgres from 'postgres';
import { verifyAll } from '../event-store/verify.ts';
import { GENESIS, chainHash } from './chain-hash.ts';
import { describeAhead, readModelsAhead } from './read-model-check.ts';
import { keyIdOf } from './seal-key.ts';
import { parseSeal, signatureValid, type SealFacts, type SignedSeal } from './seal-statement.ts';
import { allSeals } from './seals.ts';
import type { AuditProblem } from './verify-stream.ts';

export interface SealProblem {
  seal: bigint | null;
  reason: string;
}

export interface LogAudit {
  intact: boolean;
  /** Events in the log. */
  checked: number;
  /** Events in the global chain, and its head's position. */
  chained: bigint;
  chainedUpTo: bigint | null;
  /** The newest seal that checks out, with its facts. */
  lastSeal: SealFacts | null;
  sealsChecked: number;
  /** Whether seal signatures were checked (a public key was at hand). */
  signaturesChecked: boolean;
  /** Problems in the log and the chain, first broken position first, each with the seal it contradicts. */
  problems: (AuditProblem & { contradicts: SealFacts | null })[];
  /** Seals that are forged, malformed, missing or contradicted by the log. */
  sealProblems: SealProblem[];
}

export interface VerifyLogOptions {
  /**
   * The keys seals may be signed with (the current one, and earlier ones after a rotation); each seal is checked
   * with the key its statement names. Without any, seals are checked against the log only.
   */
  publicKeys?: KeyObject[];
  /** Seals kept outside the database (e.g. `cli seals` output saved elsewhere): each must match the log too. */
  externalSeals?: SignedSeal[];
}

/** One row of the walk: the log's n-th event in chain order beside the chain's n-th row (either may be absent). */
type WalkRow = [
  n: string,
  position: string | null,
  streamId: string | null,
  streamVersion: number | null,
  hash: string | null,
  chainPosition: string | null,
  chainStreamId: string | null,
  chainStreamVersion: number | null,
  chainEventHash: string | null,
  chainHash: string | null,
];

/**
 * The whole audit trail, in one snapshot: every stream's hash chain; the global chain recomputed from the events
 * themselves and compared row by row with the stored chain (the first difference is the first broken position: an
 * event missing, altered, inserted or reordered); the recomputed chain against every seal (so a chain table
 * rewritten to match altered events still contradicts the signed heads); every seal's signature; and read models
 * ahead of their streams.
 */
export async function verifyLog(sql: postgres.Sql, options: VerifyLogOptions = {}): Promise<LogAudit> {
  return (await sql.begin('isolation level repeatable read read only', async (tx) => {
    const problems: LogAudit['problems'] = [];
    const sealProblems: SealProblem[] = [];
    const streams = await verifyAll(tx);

    const seals = checkSeals(await allSeals(tx), options, sealProblems);
    const sealAt = new Map<bigint, SealFacts[]>();
    for (const seal of seals) sealAt.set(seal.count, [...(sealAt.get(seal.count) ?? []), seal]);
    const contradicted = new Set<SealFacts>();

    let recomputed: Buffer = GENESIS;
    let events = 0;
    let chained = 0n;
    let chainedUpTo: bigint | null = null;
    // The first row where the stored chain and the log part; explained after the walk (no query while the cursor is open).
    let parted: { n: bigint; row: WalkRow; reason: string | null } | null = null;
    const cursor = tx`
      select coalesce(c.seq, e.n)::text, e.position::text, e.stream_id, e.stream_version, e.hash,
             c.position::text, c.stream_id, c.stream_version, encode(c.event_hash, 'hex'), encode(c.chain_hash, 'hex')
      from (select row_number() over (order by transaction_id, position) as n, position, stream_id, stream_version, hash
            from events) e
      full join audit_chain c on c.seq = e.n
      order by coalesce(c.seq, e.n)`.values().cursor(5000);
    for await (const rows of cursor as unknown as AsyncIterable<WalkRow[]>) {
      for (const row of rows) {
        const [nText, position, , , hash, chainPosition, , , chainEventHash, storedChainHash] = row;
        const n = BigInt(nText);
        if (position !== null) {
          events++;
          recomputed = chainHash(recomputed, BigInt(position), hash ?? '');
        }
        if (chainPosition !== null) {
          chained = n;
          chainedUpTo = BigInt(chainPosition);
          if (!parted) {
            if (position === null || position !== chainPosition) parted = { n, row, reason: null };
            else if (hash !== chainEventHash) parted = { n, row, reason: 'the event differs from the one chained (content and hash rewritten)' };
            else if (storedChainHash !== recomputed.toString('hex')) parted = { n, row, reason: 'the stored chain does not match the events: the chain table was altered' };
          }
        }
        for (const seal of sealAt.get(n) ?? []) {
          if (position === null) continue; // the log ends before this seal: below
          if (recomputed.toString('hex') !== seal.chainHash || BigInt(position) !== seal.position) contradicted.add(seal);
        }
      }
    }
    for (const seal of seals) if (seal.count > BigInt(events)) contradicted.add(seal);

    const located: (AuditProblem & { seq: bigint | null })[] = [];
    if (parted) {
      const [, position, , , , chainPosition, chainStreamId, chainStreamVersion] = parted.row;
      const reason = parted.reason ?? (await whatHappenedAt(tx, chainPosition!, position));
      located.push({ position: BigInt(chainPosition!), streamId: chainStreamId, streamVersion: chainStreamVersion, reason: `chain #${parted.n}: ${reason}`, seq: parted.n });
    }
    if (!streams.intact) {
      const [row] = await tx<{ seq: string }[]>`select seq::text from audit_chain where position = ${streams.position.toString()}::bigint`;
      located.push({ position: streams.position, streamId: streams.streamId, streamVersion: streams.streamVersion, reason: streams.reason, seq: row ? BigInt(row.seq) : null });
    }
    // A problem contradicts the first seal that covers its event: that seal signed the event as it was.
    const byCount = [...seals].sort((a, b) => (a.count < b.count ? -1 : a.count > b.count ? 1 : 0));
    for (const { seq, ...problem } of located) {
      problems.push({ ...problem, contradicts: seq === null ? null : (byCount.find((seal) => seal.count >= seq) ?? null) });
    }
    // A contradicted seal that no located problem explains (the chain table was rewritten to match): its range.
    const firstSeq = located.reduce<bigint | null>((min, p) => (p.seq !== null && (min === null || p.seq < min) ? p.seq : min), null);
    for (const seal of byCount) {
      if (!contradicted.has(seal) || (firstSeq !== null && firstSeq <= seal.count)) continue;
      const fewer = seal.count > BigInt(events) ? ` (it covers ${seal.count} events, the log now has ${events})` : '';
      sealProblems.push({ seal: seal.seal, reason: `seal #${seal.seal} (position ${seal.position}, ${seal.sealedAt}) is contradicted by the log${fewer}: events up to position ${seal.position} were altered or removed, and the chain table rewritten to match` });
    }

    for (const row of await readModelsAhead(tx, null)) {
      problems.push({ position: null, streamId: row.streamId, streamVersion: row.version, reason: describeAhead(row), contradicts: null });
    }
    problems.sort((a, b) => (a.position === null ? 1 : b.position === null ? -1 : a.position < b.position ? -1 : a.position > b.position ? 1 : 0));

    const good = byCount.filter((seal) => !contradicted.has(seal));
    return {
      intact: problems.length === 0 && sealProblems.length === 0,
      checked: events,
      chained,
      chainedUpTo,
      lastSeal: good[good.length - 1] ?? null,
      sealsChecked: seals.length,
      signaturesChecked: (options.publicKeys ?? []).length > 0,
      problems,
      sealProblems,
    };
  })) as LogAudit;
}

/** Why the chain's event at `chainPosition` is not where the chain has it. */
async function whatHappenedAt(tx: postgres.TransactionSql, chainPosition: string, found: string | null): Promise<string> {
  const [row] = await tx`select 1 from events where position = ${chainPosition}::bigint`;
  if (!row) return 'the chained event is missing from the log';
  return found === null ? 'the log ends before this chained event' : `the log has position ${found} here: an event was inserted or the order changed`;
}

/** Seals whose statement parses and whose signature verifies (when a key is given), numbered without holes. */
function checkSeals(stored: SignedSeal[], options: VerifyLogOptions, sealProblems: SealProblem[]): SealFacts[] {
  const keys = new Map((options.publicKeys ?? []).map((key) => [keyIdOf(key), key]));
  const trusted = [...keys.keys()].join(', ');
  const byNumber = new Map<bigint, SealFacts>();
  const check = (seal: SignedSeal, where: string): SealFacts | null => {
    let facts: SealFacts;
    try {
      facts = parseSeal(seal);
    } catch (error) {
      sealProblems.push({ seal: null, reason: `${where}: ${(error as Error).message}` });
      return null;
    }
    if (keys.size === 0) return facts;
    const name = `seal #${facts.seal}${where === 'a seal' ? '' : ` (${where})`}`;
    const key = keys.get(facts.keyId);
    if (!key) {
      sealProblems.push({ seal: facts.seal, reason: `${name} is signed with key ${facts.keyId}, not with a trusted key (${trusted})` });
      return null;
    }
    if (!signatureValid(seal, key)) {
      sealProblems.push({ seal: facts.seal, reason: `${name}: the signature does not verify with key ${facts.keyId} (forged or altered)` });
      return null;
    }
    return facts;
  };
  stored.forEach((seal, i) => {
    const facts = check(seal, 'a seal');
    if (!facts) return;
    if (facts.seal !== BigInt(i + 1)) sealProblems.push({ seal: facts.seal, reason: `seal #${facts.seal} is stored as number ${i + 1}: seals were removed or renumbered` });
    byNumber.set(facts.seal, facts);
  });
  for (const seal of options.externalSeals ?? []) {
    const facts = check(seal, 'a seal kept outside the database');
    if (!facts) continue;
    const inside = byNumber.get(facts.seal);
    if (!inside) {
      sealProblems.push({ seal: facts.seal, reason: `seal #${facts.seal} kept outside the database is missing from it: seals were removed` });
      byNumber.set(facts.seal, facts);
    } else if (inside.chainHash !== facts.chainHash || inside.count !== facts.count) {
      sealProblems.push({ seal: facts.seal, reason: `seal #${facts.seal} kept outside the database differs from the stored one` });
      byNumber.set(facts.seal, facts);
    }
  }
  return [...byNumber.values()];
}
