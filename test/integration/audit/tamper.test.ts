import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publicKeyPem } from '../../../src/audit/seal-key.ts';
import { startSealer, type Sealer } from '../../../src/audit/sealer.ts';
import { verifyCommand } from '../../../src/audit/verify-command.ts';
import { verifyStreamAudit } from '../../../src/audit/verify-stream.ts';
import { parseConfig } from '../../../src/config/index.ts';
import { createEventStore, type EventStore } from '../../../src/event-store/index.ts';
import { globalId } from '../../../src/graphql/ids.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { event, options } from '../event-store/fixtures.ts';
import { asAttacker, lines, newSealKey, rewriteConsistently } from './fixtures.ts';

const { key, base64 } = newSealKey();
const config = parseConfig({ DVMM_SEAL_KEY: base64 });

// Each test gets its own database: tampering with one must not leak into the next.
let t: TestDatabase;
let store: EventStore;
let sealer: Sealer;

beforeEach(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
  // Seals only when told (sealNow), so each test decides what the seal covers.
  sealer = await startSealer({ sql: t.sql, key, chainIntervalMs: 3_600_000, log: () => {} });
});
afterEach(async () => {
  await sealer.stop();
  await store.flush();
  await t.close();
});

const verify = async (args: string[] = []) => {
  const output = lines();
  const code = await verifyCommand(t.sql, args, output.out, config);
  return { code, text: output.text(), first: output.all[0] ?? '' };
};

/** A request-like stream of `versions` events and another stream after it, all sealed. */
async function sealedLog(versions = 8) {
  const stream = randomUUID();
  const other = randomUUID();
  await store.append(stream, 'no_stream', Array.from({ length: versions }, (_, i) => event(i + 1)), options());
  await store.append(other, 'no_stream', [event(1)], options());
  const seal = await sealer.sealNow();
  expect(seal?.sealNo).toBe(1n);
  const events = await store.readStream(stream);
  return { stream, other, events, last: events[events.length - 1]! };
}

describe('cli verify against the signed chain', () => {
  it('an untouched, sealed log is intact and says how far it is sealed', async () => {
    const { stream, other } = await sealedLog();
    const { code, first } = await verify();
    expect(code).toBe(0);
    const otherEvent = (await store.readStream(other))[0]!;
    expect(first).toMatch(/^event store: intact \(9 events checked/);
    expect(first).toContain(`chained up to position ${otherEvent.position} (#9)`);
    expect(first).toContain(`sealed up to position ${otherEvent.position} by seal #1`);
    expect(first).toContain(`key ${key.keyId}`);
    expect((await verify([stream])).code).toBe(0);
  });

  it("a stream's last event deleted after a seal (delete trigger disabled): position and seal are named", async () => {
    const { stream, last } = await sealedLog();
    // What the per-stream chain alone cannot see: versions 1..7 still link perfectly.
    await t.sql.begin(async (tx) => {
      await tx`alter table events disable trigger events_no_delete`;
      await tx`delete from events where position = ${last.position.toString()}`;
      await tx`alter table events enable trigger events_no_delete`;
    });
    const whole = await verify();
    expect(whole.code).toBe(2);
    expect(whole.first).toContain(`BROKEN at position ${last.position} (stream ${stream}, version 8)`);
    expect(whole.first).toContain('the chained event is missing from the log');
    expect(whole.first).toContain(`contradicts seal #1 (position ${last.position + 1n}`);

    const one = await verify([stream]);
    expect(one.code).toBe(2);
    expect(one.first).toContain(`BROKEN at position ${last.position} (stream ${stream}, version 8)`);
    expect(one.first).toContain('version 8 was chained as #8 and is missing from the log');
    expect((await verifyStreamAudit(t.sql, stream)).intact).toBe(false);
  });

  it('an event in the middle altered (content only): named, with the seal that covered it', async () => {
    const { stream, events } = await sealedLog();
    const middle = events[3]!;
    await asAttacker(t.sql, [`update events set data = '{"n": 400}' where position = ${middle.position}`]);
    const { code, first } = await verify();
    expect(code).toBe(2);
    expect(first).toContain(`BROKEN at position ${middle.position} (stream ${stream}, version 4): content does not match its hash`);
    expect(first).toContain('contradicts seal #1');
  });

  it('an event in the middle rewritten with its hash, its stream relinked and the chain table recomputed: the seal contradicts it', async () => {
    const { stream, events } = await sealedLog();
    const middle = events[3]!;
    await rewriteConsistently(t.sql, middle.position, '{"n": 400}');
    // Every stream link and every chain row is self-consistent now; only the signed seal still knows the truth.
    expect((await verifyStreamAudit(t.sql, stream)).intact).toBe(true);
    const { code, first } = await verify();
    expect(code).toBe(2);
    expect(first).toMatch(/BROKEN: seal #1 \(position \d+, .*\) is contradicted by the log/);
  });

  it('the last event of the whole log deleted after a seal: reported, also when its chain row goes too', async () => {
    const { other } = await sealedLog();
    const [lastOfLog] = await store.readStream(other);
    await asAttacker(t.sql, [`delete from events where position = ${lastOfLog!.position}`]);
    const first = await verify();
    expect(first.code).toBe(2);
    expect(first.first).toContain(`BROKEN at position ${lastOfLog!.position} (stream ${other}, version 1)`);
    expect(first.first).toContain('contradicts seal #1');

    await asAttacker(t.sql, [`delete from audit_chain where position = ${lastOfLog!.position}`]);
    const second = await verify();
    expect(second.code).toBe(2);
    expect(second.first).toContain('seal #1');
    expect(second.first).toContain('it covers 9 events, the log now has 8');
    // The stream is gone altogether: nothing of it is left to find.
    expect((await verify([other])).code).toBe(1);
  });

  it('an event inserted into the sealed past (triggers off, hash computed, an old transaction id) is reported', async () => {
    const { stream, events, last } = await sealedLog(3);
    const first = events[0]!;
    // Version 4 of the stream, made to sort right after version 1 in the log's order.
    await asAttacker(t.sql, [
      `insert into events (position, transaction_id, stream_id, stream_type, stream_version, event_type, data, metadata,
                           tenant_id, recorded_at, prev_hash, hash)
       overriding system value
       select 1000, '${first.transactionId}'::xid8, stream_id, stream_type, 4, 'Happened', '{"n": 4}', metadata, tenant_id,
              recorded_at, '${last.hash}',
              dvmm_event_hash(1000, stream_id, stream_type, 4, 'Happened', 1, '{"n": 4}', metadata, tenant_id, recorded_at, '${last.hash}')
       from events where position = ${first.position}`,
    ]);
    const one = await verify([stream]);
    expect(one.code).toBe(2);
    expect(one.first).toContain('at position 1000 (stream');
    expect(one.first).toContain('version 4 sorts before the chain\'s head but was never chained: inserted afterwards');
    const whole = await verify();
    expect(whole.code).toBe(2);
    expect(whole.text).toContain('the log has position 1000 here: an event was inserted or the order changed');
    expect(whole.text).toContain('contradicts seal #1');
  });

  it('a seal signed with another key fails verification', async () => {
    await sealedLog();
    await sealer.stop(); // the forger's sealer below takes the lock
    await store.append(randomUUID(), 'no_stream', [event(1)], options());
    const forger = newSealKey().key;
    // A forged seal #2 over the real head: right chain hash, wrong key.
    const forged = await startSealer({ sql: t.sql, key: forger, chainIntervalMs: 3_600_000, log: () => {} });
    expect((await forged.sealNow())?.sealNo).toBe(2n);
    await forged.stop();
    const { code, text } = await verify();
    expect(code).toBe(2);
    expect(text).toContain(`seal #2 is signed with key ${forger.keyId}, not with a trusted key (${key.keyId})`);
    // With the forger's public key, it is seal #1 that fails.
    const file = join(mkdtempSync(join(tmpdir(), 'dvmm-forger-')), 'forger.pub.pem');
    writeFileSync(file, publicKeyPem(forger));
    const other = await verify(['--public-key', file]);
    expect(other.code).toBe(2);
    expect(other.text).toContain(`seal #1 is signed with key ${key.keyId}, not with a trusted key (${forger.keyId})`);
    // After a key rotation both public keys are trusted, and each seal is checked with the one it names.
    const ownFile = join(file, '..', 'own.pub.pem');
    writeFileSync(ownFile, publicKeyPem(key));
    expect((await verify(['--public-key', ownFile, '--public-key', file])).code).toBe(0);
    // A stored seal edited after signing (its statement claims another head) no longer verifies.
    await asAttacker(t.sql, [`update audit_seals set statement = replace(statement, '"count":"9"', '"count":"8"') where seal_no = 1`]);
    const edited = await verify();
    expect(edited.code).toBe(2);
    expect(edited.text).toContain(`seal #1: the signature does not verify with key ${key.keyId} (forged or altered)`);
  });

  it('a read model row ahead of its stream is named as tampering or a bug', async () => {
    const { stream, last } = await sealedLog(3);
    // The row the projects projection holds for the stream at its version 3.
    await t.sql`
      insert into projects (id, tenant_id, name, status, version, created_by, created_at, updated_at, changed_tx, changed_position)
      values (${stream}, 'acme', 'Shop', 'ACTIVE', 3, 'bob', now(), now(), ${last.transactionId.toString()}, ${last.position.toString()})`;
    expect((await verify([stream])).code).toBe(0);
    await asAttacker(t.sql, [`delete from events where position = ${last.position}`]);
    const { code, text } = await verify([stream]);
    expect(code).toBe(2);
    expect(text).toContain(`read model projects shows stream ${stream} at version 3, but the stream ends at version 2`);
    expect(text).toContain('(tampering), or a projection bug');
    expect((await verify()).text).toContain(`read model projects shows stream ${stream} at version 3`);
  });
});

describe('audit tables', () => {
  it.each([
    ['UPDATE', 'update audit_chain set stream_version = 0'],
    ['DELETE', 'delete from audit_chain'],
    ['TRUNCATE', 'truncate audit_chain'],
    ['UPDATE of a seal', "update audit_seals set signature = ''"],
    ['DELETE of a seal', 'delete from audit_seals'],
    ['TRUNCATE of the seals', 'truncate audit_seals'],
  ])('%s is refused by the database, for every role', async (_name, statement) => {
    await sealedLog(1);
    await expect(t.sql.unsafe(statement)).rejects.toMatchObject({ code: 'DV002' });
    expect((await verify()).code).toBe(0);
  });
});

describe('cli verify <id>', () => {
  it('an unknown stream is not found (exit 1), not intact', async () => {
    const { code, first } = await verify(['not-a-stream']);
    expect(code).toBe(1);
    expect(first).toBe('stream not-a-stream: not found (no events, no chained events, no read model row)');
  });

  it('accepts the GraphQL id a client sees', async () => {
    const { stream } = await sealedLog(2);
    const id = globalId('VmRequest', stream);
    const { code, first } = await verify([id]);
    expect(code).toBe(0);
    expect(first).toMatch(new RegExp(`^stream ${stream} \\(VmRequest ${id}\\): intact \\(2 events checked`));
    expect((await verify([globalId('VmRequest', randomUUID())])).code).toBe(1);
  });

  it('refuses unknown options with exit 1', async () => {
    expect((await verify(['--nope'])).code).toBe(1);
  });
});
