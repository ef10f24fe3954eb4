import { randomUUID } from 'node:crypto';
import { expect, onTestFinished } from 'vitest';
import { createDb } from '../../../src/db/client.ts';
import type { Principal } from '../../../src/domain/index.ts';
import { createEventStore, type EventStore } from '../../../src/event-store/index.ts';
import { createLiveFeed } from '../../../src/graphql/live/vm-request-feed.ts';
import { LiveError } from '../../../src/live/errors.ts';
import { encodeCursor } from '../../../src/projections/changes.ts';
import { PROJECTIONS, startProjector } from '../../../src/projections/index.ts';
import { startVersionPruner } from '../../../src/projections/version-pruner.ts';
import { dbTest as test } from '../../support/db-test.ts';
import { createTestDatabase } from '../../support/db.ts';
import { createProject, metadata } from './events.ts';

const DAY = 86_400_000;
const admin: Principal = { tenantId: 'acme', userId: 'root', roles: ['admin'] };

/** Creates a request whose creation happened `daysAgo` days ago; returns its id. */
const createRequest = async (store: EventStore, projectId: string, daysAgo: number): Promise<string> => {
  const id = randomUUID();
  await store.append(
    id,
    'no_stream',
    [{ type: 'VmRequestCreated', data: { projectId, vmName: `vm-${daysAgo}`, size: 'S', justification: 'Needed for the pruning test', requester: { id: 'alice' } } }],
    { streamType: 'VmRequest', tenantId: 'acme', metadata: metadata('acme', 'alice', new Date(Date.now() - daysAgo * DAY)) },
  );
  return id;
};

const cursorOfVersion = async (sql: import('../../../src/db/client.ts').Sql, id: string) => {
  const [row] = await sql<{ tx: string; position: string }[]>`
    select changed_tx::text as tx, changed_position::text as position from vm_request_versions where id = ${id}`;
  return encodeCursor({ transactionId: BigInt(row!.tx), position: BigInt(row!.position) });
};

test('pruning removes the versions older than the retention, oldest first, and a `since` before them is refused', async ({ sql, store }) => {
  const projectId = await createProject(store, 'acme', 'Pruned', 'root');
  // In log order: two old, one recent, one old again (committed after the recent one), one recent.
  const old1 = await createRequest(store, projectId, 30);
  const old2 = await createRequest(store, projectId, 20);
  const recent1 = await createRequest(store, projectId, 1);
  const oldAfterRecent = await createRequest(store, projectId, 40);
  const recent2 = await createRequest(store, projectId, 0);
  const projector = await startProjector({ sql, projections: PROJECTIONS, log: () => {} });
  await projector.caughtUp();
  await projector.stop();
  const before = { old1: await cursorOfVersion(sql, old1), old2: await cursorOfVersion(sql, old2), recent1: await cursorOfVersion(sql, recent1) };

  const lines: string[] = [];
  const pruner = startVersionPruner({ sql, retentionMs: 7 * DAY, intervalMs: 3_600_000, chunk: 2, log: (line) => lines.push(line) });
  await pruner.stop(); // the first run, started at once, has finished
  // The prefix before the first version inside the retention: old1 and old2, in two chunks of two. The old one
  // committed after recent1 stays: removing it would leave a hole after the horizon.
  const kept = await sql<{ id: string }[]>`select id from vm_request_versions order by changed_tx, changed_position`;
  expect(kept.map((row) => row.id)).toEqual([recent1, oldAfterRecent, recent2]);
  const [horizon] = await sql<{ tx: string; position: string }[]>`
    select changed_tx::text as tx, changed_position::text as position from vm_request_version_horizon`;
  expect(encodeCursor({ transactionId: BigInt(horizon!.tx), position: BigInt(horizon!.position) })).toBe(before.old2);
  expect(lines).toContain('[versions] pruned 2 version(s) older than the retention');
  // The current rows are untouched.
  const [current] = await sql<{ n: number }[]>`select count(*)::int as n from vm_requests`;
  expect(current!.n).toBe(5);

  const live = createLiveFeed({ sql, db: createDb(sql), store, log: () => {} });
  await live.start();
  try {
    // Before the horizon: refused, with the cursor to resume from (the projection's checkpoint).
    const refused = await live.watchChanges(admin, { projectId: null, since: before.old1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LiveError);
    expect((refused as LiveError).code).toBe('CURSOR_EXPIRED');
    const [checkpoint] = await sql<{ tx: string; position: string }[]>`
      select transaction_id::text as tx, position::text as position from projection_checkpoints where name = 'vm_requests'`;
    expect((refused as LiveError).cursor).toBe(encodeCursor({ transactionId: BigInt(checkpoint!.tx), position: BigInt(checkpoint!.position) }));
    // At the horizon: every version after it is there, and is replayed.
    const changes = await live.watchChanges(admin, { projectId: null, since: before.old2 });
    const replayed: string[] = [];
    for (let i = 0; i < 3; i++) replayed.push(((await changes.next()).value as { view: { id: string } }).view.id);
    expect(replayed).toEqual([recent1, oldAfterRecent, recent2]);
    await changes.return?.();
    // Not a cursor at all.
    const invalid = await live.watchChanges(admin, { projectId: null, since: 'nonsense' }).catch((error: unknown) => error);
    expect((invalid as LiveError).code).toBe('INVALID_CURSOR');
  } finally {
    await live.stop();
  }
  expect(before.recent1).toBe(await cursorOfVersion(sql, recent1));
});

test('two pruners at once (one holds the lock, the other skips) leave no old version behind', async () => {
  // A database of its own: the versions the other test keeps would stop this one's prefix.
  const database = await createTestDatabase();
  onTestFinished(() => database.close());
  const { sql } = database;
  const store = createEventStore(sql);
  const projectId = await createProject(store, 'acme', 'Pruned twice', 'root');
  for (let i = 0; i < 6; i++) await createRequest(store, projectId, 60);
  const projector = await startProjector({ sql, projections: PROJECTIONS, log: () => {} });
  await projector.caughtUp();
  await projector.stop();
  const [old] = await sql<{ n: number }[]>`
    select count(*)::int as n from vm_request_versions where updated_at < now() - interval '7 days'`;
  const pruners = [1, 2].map(() => startVersionPruner({ sql, retentionMs: 7 * DAY, intervalMs: 3_600_000, log: () => {} }));
  await Promise.all(pruners.map((p) => p.stop()));
  const removed = await Promise.all(pruners.map((p) => p.pruneNow()));
  expect(removed).toEqual([0, 0]); // nothing left
  const [left] = await sql<{ n: number }[]>`
    select count(*)::int as n from vm_request_versions where updated_at < now() - interval '7 days'`;
  expect(old!.n).toBeGreaterThanOrEqual(6);
  expect(left!.n).toBe(0);
});
