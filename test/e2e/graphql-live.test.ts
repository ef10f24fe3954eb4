import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEventStore, type EventMetadata } from '../../src/event-store/index.ts';
import { encodeCursor } from '../../src/projections/changes.ts';
import {
  ApproveVmRequestDocument,
  CancelVmRequestDocument,
  CreateProjectDocument,
  CreateVmRequestDocument,
  RejectVmRequestDocument,
  VmRequestChangesDocument,
  VmRequestDocument,
  VmRequestStatusDocument,
  VmRequestUpdatedDocument,
} from './generated/graphql.ts';
import { dataOf, http, subscribeWs, wsClient } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let database: TestDatabase;
let server: TestServer;
let tenant: Tenant;

const eventCount = async (): Promise<number> => (await server.database.sql<{ n: number }[]>`select count(*)::int as n from events`)[0]!.n;
const START = encodeCursor({ transactionId: 0n, position: 0n });

beforeAll(async () => {
  // 32 writers in the burst plus the server's own queries: a larger pool than the default.
  database = await createTestDatabase({ max: 40 });
  server = await startTestServer({ database });
  tenant = await setupTenant(server);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

type Change = { vmRequestChanges: { cursor: string; vmRequest: { id: string; status: string; version: number } } };

/** Requests whose versions did not arrive one after the other (each from the one before, starting at the first seen). */
const versionGaps = (values: Change[]): string[] => {
  const last = new Map<string, number>();
  const gaps: string[] = [];
  for (const { vmRequestChanges: { vmRequest } } of values) {
    const before = last.get(vmRequest.id);
    if (before !== undefined && vmRequest.version !== before + 1) gaps.push(`${vmRequest.id}: ${before} -> ${vmRequest.version}`);
    last.set(vmRequest.id, vmRequest.version);
  }
  return gaps;
};

/** Each request's statuses in the order its versions arrived. */
const statusesById = (values: Change[]): Map<string, string[]> => {
  const statuses = new Map<string, string[]>();
  for (const { vmRequestChanges: { vmRequest } } of values) statuses.set(vmRequest.id, [...(statuses.get(vmRequest.id) ?? []), vmRequest.status]);
  return statuses;
};

describe('idempotency keys', () => {
  it('return the first result and write nothing new', async () => {
    const input = { projectId: tenant.projectId, vmName: 'idem-01', size: 'S' as const, justification: 'Retried by a flaky network', idempotencyKey: randomUUID() };
    const before = await eventCount();
    const first = dataOf(await http(server.url, tenant.aliceToken, CreateVmRequestDocument, { input })).createVmRequest;
    const again = dataOf(await http(server.url, tenant.aliceToken, CreateVmRequestDocument, { input })).createVmRequest;
    if (first.__typename !== 'CreateVmRequestPayload' || again.__typename !== 'CreateVmRequestPayload') throw new Error('expected payloads');
    expect(again.vmRequest).toMatchObject({ id: first.vmRequest.id, version: 1, status: 'PENDING' });
    expect(await eventCount()).toBe(before + 1);

    // The same key from another user is another command.
    const bobs = dataOf(await http(server.url, tenant.bobToken, CreateVmRequestDocument, { input })).createVmRequest;
    expect(bobs.__typename === 'CreateVmRequestPayload' && bobs.vmRequest.id).not.toBe(first.vmRequest.id);

    const approval = { id: first.vmRequest.id, expectedVersion: 1, idempotencyKey: randomUUID() };
    const approved = dataOf(await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: approval })).approveVmRequest;
    const approvedAgain = dataOf(await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: approval })).approveVmRequest;
    expect(approved).toMatchObject({ __typename: 'ApproveVmRequestPayload', vmRequest: { status: 'APPROVED', version: 2 } });
    expect(approvedAgain).toEqual(approved);
    expect(await eventCount()).toBe(before + 3);

    const project = { name: `Idem ${Date.now()}`, idempotencyKey: 'create-idem-project' };
    const p1 = dataOf(await http(server.url, tenant.adminToken, CreateProjectDocument, { input: project })).createProject;
    const p2 = dataOf(await http(server.url, tenant.adminToken, CreateProjectDocument, { input: project })).createProject;
    expect(p2).toEqual(p1);
    expect(p1.__typename).toBe('CreateProjectPayload');
  });
});

describe('one change to many subscribers', () => {
  it('answers each subscription with its own selection and variables', async () => {
    const request = await createRequest(server, tenant.aliceToken, tenant.projectId);
    const client = wsClient(server.wsUrl, tenant.adminToken);
    const full = subscribeWs(client, VmRequestUpdatedDocument, { id: request.id });
    const small = subscribeWs(client, VmRequestStatusDocument, { id: request.id });
    const other = await createRequest(server, tenant.bobToken, tenant.projectId);
    const ofOther = subscribeWs(client, VmRequestStatusDocument, { id: other.id });
    await Promise.all([full.waitFor(1), small.waitFor(1), ofOther.waitFor(1)]);
    await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: 1 } });
    await Promise.all([full.waitFor(2), small.waitFor(2)]);
    expect(full.values[1]?.vmRequestUpdated).toMatchObject({ id: request.id, status: 'APPROVED', vmName: request.vmName, project: { id: tenant.projectId } });
    expect(small.values[1]).toEqual({ vmRequestUpdated: { id: request.id, status: 'APPROVED' } });
    expect(ofOther.values).toEqual([{ vmRequestUpdated: { id: other.id, status: 'PENDING' } }]);
    for (const s of [full, small, ofOther]) s.unsubscribe();
    await client.dispose();
  });
});

describe('the live feed after its LISTEN connection drops', () => {
  it('catches up on what changed meanwhile and keeps going', async () => {
    const client = wsClient(server.wsUrl, tenant.adminToken);
    const changes = subscribeWs(client, VmRequestChangesDocument, { projectId: tenant.projectId, since: START });
    const marker = await createRequest(server, tenant.aliceToken, tenant.projectId);
    await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === marker.id));

    // Kill the feed's listening backend, and change things while it reconnects.
    const killed = await server.database.sql<{ ok: boolean }[]>`
      select pg_terminate_backend(pid) as ok from pg_stat_activity
      where application_name = 'dvmm-live' and datname = current_database()`;
    expect(killed.some((row) => row.ok)).toBe(true);
    const meanwhile: { id: string }[] = [];
    for (let i = 0; i < 5; i++) meanwhile.push(await createRequest(server, tenant.bobToken, tenant.projectId));
    await changes.waitUntil((values) => meanwhile.every((r) => values.some((v) => v.vmRequestChanges.vmRequest.id === r.id)), 30_000);

    const after = await createRequest(server, tenant.aliceToken, tenant.projectId);
    await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === after.id), 30_000);
    // Every version once: no cursor twice, and each request's versions one after the other from its first.
    const cursors = changes.values.map((v) => v.vmRequestChanges.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(versionGaps(changes.values)).toEqual([]);
    changes.unsubscribe();
    await client.dispose();
  });
});

describe('many subscribers under concurrent commands', () => {
  it('every one of 50 subscribers receives every version of 150 requests created and approved at once, in order, once', async () => {
    const SUBSCRIBERS = 50;
    const REQUESTS = 150;
    const clients = Array.from({ length: SUBSCRIBERS }, () => wsClient(server.wsUrl, tenant.adminToken));
    const feeds = clients.map((client) => subscribeWs(client, VmRequestChangesDocument, { projectId: tenant.projectId }));
    await expect.poll(() => server.services.live.subscriberCount(), { timeout: 30_000 }).toBeGreaterThanOrEqual(SUBSCRIBERS);
    // Every feed is live once it has the marker.
    const marker = await createRequest(server, tenant.aliceToken, tenant.projectId);
    await Promise.all(feeds.map((feed) => feed.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === marker.id))));

    const made = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const request = await createRequest(server, i % 2 ? tenant.bobToken : tenant.aliceToken, tenant.projectId);
        await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: 1 } });
        return request.id;
      }),
    );
    const expected = made.flatMap((id) => [`${id}:1`, `${id}:2`]).sort();
    const versionsOf = (values: Change[]) =>
      values.map((v) => `${v.vmRequestChanges.vmRequest.id}:${v.vmRequestChanges.vmRequest.version}`).filter((key) => made.some((id) => key.startsWith(`${id}:`)));
    await Promise.all(feeds.map((feed) => feed.waitUntil((values) => versionsOf(values).length >= expected.length, 120_000))).catch((error: unknown) => {
      throw new Error(`versions received per subscriber: ${feeds.map((feed) => versionsOf(feed.values).length).join(' ')} of ${expected.length}`, { cause: error });
    });

    for (const feed of feeds) {
      expect(versionsOf(feed.values).sort()).toEqual(expected);
      expect(versionGaps(feed.values)).toEqual([]);
      expect(feed.errors).toEqual([]);
    }
    for (const feed of feeds) feed.unsubscribe();
    await Promise.all(clients.map((client) => client.dispose()));
  }, 240_000);
});

describe('vmRequestChanges with `since`', () => {
  it('after a reconnect replays every change made while away, once each, then goes live', async () => {
    const seen = (values: Change[]) => values.map((v) => v.vmRequestChanges);
    // First connection: from the start, until it has seen a marker.
    const marker = await createRequest(server, tenant.aliceToken, tenant.projectId);
    const firstClient = wsClient(server.wsUrl, tenant.adminToken);
    const first = subscribeWs(firstClient, VmRequestChangesDocument, { projectId: tenant.projectId, since: START });
    await first.waitUntil((values) => seen(values).some((c) => c.vmRequest.id === marker.id));
    const lastCursor = seen(first.values).at(-1)!.cursor;
    const seenBefore = new Set(seen(first.values).map((c) => c.vmRequest.id));
    first.unsubscribe();
    await firstClient.dispose();

    // While away: new requests, decisions, a cancellation, and a request in another project (filtered out).
    const created = [];
    for (let i = 0; i < 4; i++) created.push(await createRequest(server, i % 2 ? tenant.bobToken : tenant.aliceToken, tenant.projectId));
    const [r0, r1, r2] = created as [typeof marker, typeof marker, typeof marker];
    await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: r0.id, expectedVersion: 1 } });
    await http(server.url, tenant.adminToken, RejectVmRequestDocument, { input: { id: r1.id, expectedVersion: 1, reason: 'Budget is exhausted for now' } });
    await http(server.url, tenant.aliceToken, CancelVmRequestDocument, { input: { id: r2.id, reason: 'Not needed after all' } });
    await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: marker.id, expectedVersion: marker.version } });
    const elsewhere = dataOf(await http(server.url, tenant.adminToken, CreateProjectDocument, { input: { name: `Elsewhere ${Date.now()}` } })).createProject;
    if (elsewhere.__typename !== 'CreateProjectPayload') throw new Error('project');
    const outside = await createRequest(server, tenant.adminToken, elsewhere.project.id);
    // Every version made while away: a request created meanwhile from PENDING on, the marker only its approval.
    const expected = new Map([
      [r0.id, ['PENDING', 'APPROVED']],
      [r1.id, ['PENDING', 'REJECTED']],
      [r2.id, ['PENDING', 'CANCELLED']],
      [created[3]!.id, ['PENDING']],
      [marker.id, ['APPROVED']],
    ]);
    // Let the read model take all of it in before reconnecting (the replay reads it).
    await expect
      .poll(async () => dataOf(await http(server.url, tenant.adminToken, VmRequestDocument, { id: r2.id })).vmRequest?.status, { timeout: 15_000 })
      .toBe('CANCELLED');

    // Reconnect with the last cursor, while more requests keep arriving.
    const secondClient = wsClient(server.wsUrl, tenant.adminToken);
    const second = subscribeWs(secondClient, VmRequestChangesDocument, { projectId: tenant.projectId, since: lastCursor });
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await createRequest(server, tenant.aliceToken, tenant.projectId));
    for (const request of during) expected.set(request.id, ['PENDING']);
    await second.waitUntil((values) => [...expected.keys()].every((id) => seen(values).some((c) => c.vmRequest.id === id)));
    // One more after everything: it arrives live, once.
    const after = await createRequest(server, tenant.bobToken, tenant.projectId);
    expected.set(after.id, ['PENDING']);
    await second.waitUntil((values) => seen(values).some((c) => c.vmRequest.id === after.id));

    const changes = seen(second.values);
    expect(statusesById(second.values)).toEqual(expected);
    expect(changes).toHaveLength([...expected.values()].flat().length);
    expect(changes.map((c) => c.vmRequest.id)).not.toContain(outside.id);
    for (const id of seenBefore) if (id !== marker.id) expect(expected.has(id)).toBe(false);
    expect(second.errors).toEqual([]);
    second.unsubscribe();
    await secondClient.dispose();
  });
});

describe('a client that stops reading its WebSocket', () => {
  it('survives a burst of 10,000 changes with bounded buffers, and still gets every version', async () => {
    const BURST = 10_000;
    const { projectId } = tenant;
    // Events carry the raw project UUID, not the GraphQL global id.
    const rawProjectId = Buffer.from(projectId, 'base64').toString('utf8').split(':')[1]!;
    // A healthy subscriber, to see the burst arrive in full.
    const healthyClient = wsClient(server.wsUrl, tenant.adminToken);
    const healthy = subscribeWs(healthyClient, VmRequestChangesDocument, { projectId });
    const probe = await createRequest(server, tenant.aliceToken, projectId);
    await healthy.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === probe.id)).catch(() => {});

    // The paused client: raw graphql-transport-ws, big messages (so the kernel buffers fill), then no more reading.
    const paused = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await once(paused, 'open');
    paused.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tenant.adminToken}` } }));
    const [ack] = (await once(paused, 'message')) as [Buffer];
    expect(JSON.parse(ack.toString()).type).toBe('connection_ack');
    const query = `subscription($p: ID) { vmRequestChanges(projectId: $p) { cursor vmRequest { id status a: justification b: justification c: justification } } }`;
    paused.send(JSON.stringify({ id: 'paused', type: 'subscribe', payload: { query, variables: { p: projectId } } }));
    const received = new Map<string, string>();
    let messages = 0;
    paused.on('message', (data: Buffer) => {
      messages++;
      const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: Change } };
      const change = message.payload?.data?.vmRequestChanges;
      if (change) received.set(change.vmRequest.id, change.vmRequest.status);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    (paused as unknown as { _socket: Socket })._socket.pause();

    // The burst: 10,000 requests appended straight to the event store by 32 writers.
    const store = createEventStore(server.database.sql);
    const justification = 'Burst load to check that a paused subscriber cannot grow the server. '.repeat(14).slice(0, 1000);
    const ids = Array.from({ length: BURST }, () => randomUUID());
    let next = 0;
    let maxBuffered = 0;
    const watch = setInterval(() => {
      maxBuffered = Math.max(maxBuffered, server.services.live.bufferedChanges());
    }, 5);
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const metadata: EventMetadata = {
            tenantId: tenant.tenant, userId: 'alice', correlationId: id, causationId: null, commandId: randomUUID(), occurredAt: new Date().toISOString(),
          };
          await store.append(id, 'no_stream', [{ type: 'VmRequestCreated', data: {
            projectId: rawProjectId, vmName: `burst-${next}`, size: 'S', justification, requester: { id: 'alice', email: null, name: null },
          } }], { streamType: 'VmRequest', tenantId: tenant.tenant, metadata });
        }
      }),
    );
    await store.flush();
    const globalIds = ids.map((id) => Buffer.from(`VmRequest:${id}`, 'utf8').toString('base64'));
    const last = globalIds.at(-1)!;
    // Counted incrementally: the predicate runs on every message.
    const healthyIds = new Set<string>();
    const healthySeen = await healthy.waitUntil((values) => {
      for (let i = healthyIds.size === 0 ? 0 : values.length - 1; i < values.length; i++) healthyIds.add(values[i]!.vmRequestChanges.vmRequest.id);
      return healthyIds.size >= BURST + 1;
    }, 120_000);
    clearInterval(watch);

    // The server is fine: it answers, its buffers stayed bounded, the healthy subscriber has every request.
    expect(dataOf(await http(server.url, tenant.adminToken, VmRequestDocument, { id: last })).vmRequest?.id).toBe(last);
    // Per subscriber at most a buffer (100) plus a catch-up page (50), whatever the burst: two subscribers here.
    expect(maxBuffered).toBeLessThanOrEqual(2 * (100 + 50));
    expect(new Set(healthySeen.map((v) => v.vmRequestChanges.vmRequest.id))).toEqual(new Set([probe.id, ...globalIds]));
    const messagesWhilePaused = messages;

    // Reading again, the paused client catches up on every version (unless the server's
    // keep-alive has dropped it meanwhile, which also frees everything it held).
    (paused as unknown as { _socket: Socket })._socket.resume();
    if (paused.readyState === WebSocket.OPEN) {
      await expect.poll(() => received.size >= BURST || paused.readyState !== WebSocket.OPEN, { timeout: 120_000 }).toBe(true);
    }
    if (paused.readyState === WebSocket.OPEN) {
      for (const id of globalIds) expect(received.get(id)).toBe('PENDING');
    }
    expect(messagesWhilePaused).toBeLessThan(BURST);
    paused.close();
    healthy.unsubscribe();
    await healthyClient.dispose();
  }, 300_000);
});
