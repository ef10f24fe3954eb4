import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from './fixtures.ts';

/** Alters rows the way an attacker with superuser rights could: with the immutability triggers switched off. */
async function tamper(sql: Sql, statement: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx.unsafe(statement);
  });
}

describe('immutability', () => {
  dbTest.for([
    ['UPDATE', `update events set data = '{"n": 99}'`],
    ['UPDATE of nothing', `update events set data = '{}' where false`],
    ['DELETE', 'delete from events'],
    ['DELETE of nothing', 'delete from events where false'],
    ['TRUNCATE', 'truncate events'],
  ] as const)('%s on events is refused by the database', async ([, statement], { sql, store }) => {
    await store.append(randomUUID(), 'no_stream', [event(1)], options());
    const before = await sql`select position, hash from events order by position`;
    await expect(sql.unsafe(statement)).rejects.toMatchObject({ code: 'DV002' });
    expect(await sql`select position, hash from events order by position`).toEqual(before);
  });

  dbTest('refuses a version gap written directly, bypassing the store', async ({ sql, store }) => {
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(1)], options());
    await expect(
      sql`insert into events (stream_id, stream_type, stream_version, event_type, data, metadata, tenant_id)
            values (${stream}, 'Test', 3, 'X', '{}', '{}', 'acme')`,
    ).rejects.toMatchObject({ code: 'DV001' });
  });
});

describe('hash chain verification', () => {
  dbTest('reports an untouched store as intact', async ({ store }) => {
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(1), event(2), event(3)], options());
    expect(await store.verify(stream)).toEqual({ intact: true, checked: 3 });
    const all = await store.verifyAll();
    expect(all.intact).toBe(true);
  });

  dbTest('names the exact event whose content was altered', async ({ sql, store }) => {
    const stream = randomUUID();
    const other = randomUUID();
    await store.append(stream, 'no_stream', [event(1), event(2), event(3), event(4)], options());
    await store.append(other, 'no_stream', [event(1)], options());
    const [, second] = await store.readStream(stream);
    await tamper(sql, `update events set data = '{"n": 200}' where position = ${second!.position}`);
    const result = await store.verify(stream);
    expect(result).toMatchObject({ intact: false, position: second!.position, streamVersion: 2, checked: 4 });
    expect(result.intact === false && result.reason).toMatch(/content/);
    expect(await store.verify(other)).toMatchObject({ intact: true });
    expect(await store.verifyAll()).toMatchObject({ intact: false, position: second!.position, streamId: stream });
  });

  dbTest('catches a rewritten hash through the next link, and a deleted event as a gap', async ({ sql, store }) => {
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(1), event(2), event(3)], options());
    const [first, second, third] = await store.readStream(stream);
    // Content and hash both rewritten consistently for event 1: its successor's link no longer matches.
    await tamper(sql, `update events set data = '{"n": 7}',
      hash = dvmm_event_hash(position, stream_id, stream_type, stream_version, event_type, schema_version,
                             '{"n": 7}'::jsonb, metadata, tenant_id, recorded_at, prev_hash)
      where position = ${first!.position}`);
    expect(await store.verify(stream)).toMatchObject({ intact: false, position: second!.position });

    const gap = randomUUID();
    await store.append(gap, 'no_stream', [event(1), event(2), event(3)], options());
    const events = await store.readStream(gap);
    await tamper(sql, `delete from events where position = ${events[1]!.position}`);
    const result = await store.verify(gap);
    expect(result).toMatchObject({ intact: false, position: events[2]!.position });
    expect(third).toBeDefined();
  });

  dbTest('detects a hash that changed on an event with no successor', async ({ sql, store }) => {
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(1)], options());
    const [only] = await store.readStream(stream);
    await tamper(sql, `update events set metadata = metadata || '{"userId": "mallory"}' where position = ${only!.position}`);
    expect(await store.verify(stream)).toMatchObject({ intact: false, position: only!.position });
  });
});
