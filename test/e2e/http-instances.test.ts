import { randomBytes } from 'node:crypto';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Principal } from '../../src/domain/principal.ts';
import { mintToken } from '../../src/http/auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { activeSubscriptions, type Instance, startInstance, stopInstance } from '../support/instances.ts';
import { alice, bob, tokenClaims } from '../support/personas.ts';
import { postGraphQL } from '../support/server.ts';

// Architecture decision 11: instances are stateless and share one Postgres; every instance LISTENs on dvmm_changes,
// so a mutation served by one reaches subscribers of another; projector leadership moves by advisory lock.
// Two real `npm start` processes (src/main.ts) on one database, started at the same moment on an empty database.
const secret = randomBytes(32).toString('base64url');

let database: TestDatabase;
let a: Instance;
let b: Instance;
const clients: Client[] = [];

const startOne = (name: string) =>
  startInstance(name, {
    DATABASE_URL: database.url,
    JWT_SECRET: secret,
    DVMM_DEMO_SEED: 'true',
    NODE_ENV: 'development',
    PROVISIONING_ENABLED: 'false',
  });

beforeAll(async () => {
  database = await createTestDatabase();
  [a, b] = await Promise.all([startOne('a'), startOne('b')]);
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await Promise.all([stopInstance(a), stopInstance(b)]);
  await database?.close();
});

const tokenOf = (who: Principal) => mintToken(tokenClaims(who), { secret });

/** How long a read model or a subscriber on the other instance may take to follow a write. */
const POLL = { timeout: 20_000, interval: 100 };

interface Change {
  cursor: string;
  vmRequest: { id: string; vmName: string; status: string };
}

/** A graphql-ws subscriber of vmRequestChanges on one instance, collecting what it receives. */
async function subscribeChanges(instance: Instance, token: string): Promise<Change[]> {
  const before = await activeSubscriptions(instance);
  const received: Change[] = [];
  const client = createClient({ url: instance.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  clients.push(client);
  client.subscribe<{ vmRequestChanges: Change }>(
    { query: 'subscription { vmRequestChanges { cursor vmRequest { id vmName status } } }' },
    { next: (result) => result.data && received.push(result.data.vmRequestChanges), error: () => {}, complete: () => {} },
  );
  // Subscribed once the instance counts one more subscriber.
  await expect.poll(() => activeSubscriptions(instance), { ...POLL, message: 'the subscription to register' }).toBeGreaterThan(before);
  return received;
}

async function createRequest(instance: Instance, projectId: string, vmName: string): Promise<{ id: string; version: number }> {
  const response = await postGraphQL(
    instance.url,
    `mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) {
       __typename ... on CreateVmRequestPayload { vmRequest { id version } } ... on Error { message } } }`,
    { authorization: `Bearer ${await tokenOf(alice)}` },
    { input: { projectId, vmName, size: 'S', justification: 'Two instances, one database: end-to-end check' } },
  );
  const result = response.body.data?.['createVmRequest'] as { __typename: string; vmRequest?: { id: string; version: number }; message?: string };
  expect(result.__typename, result.message).toBe('CreateVmRequestPayload');
  return result.vmRequest!;
}

describe('two server processes on one database', () => {
  it('seeded the empty database once, although both started on it at the same moment', async () => {
    const query = '{ projects { edges { node { name members { userId } } } } pendingApprovals { edges { node { vmName } } } }';
    const token = await tokenOf(bob);
    // Read models follow the events a moment later: wait until the seeded request shows, then check nothing doubled.
    const response = await vi.waitFor(async () => {
      const result = await postGraphQL(a.url, query, { authorization: `Bearer ${token}` });
      const pending = (result.body.data?.['pendingApprovals'] as { edges: unknown[] } | undefined)?.edges ?? [];
      expect(pending, 'the seeded request in the admin queue').not.toHaveLength(0);
      return result;
    }, POLL);
    const projects = (response.body.data?.['projects'] as { edges: { node: { name: string; members: { userId: string }[] } }[] }).edges;
    expect(projects.map((edge) => edge.node.name).sort()).toEqual(['Data Platform', 'Web Shop']);
    for (const { node } of projects) expect(node.members.map((member) => member.userId).sort()).toEqual(['alice', 'bob']);
    expect((response.body.data?.['pendingApprovals'] as { edges: unknown[] }).edges).toHaveLength(1);
  });

  it('a mutation served by one instance reaches a subscriber of the other', async () => {
    const projects = await postGraphQL(b.url, '{ projects { edges { node { id name } } } }', { authorization: `Bearer ${await tokenOf(alice)}` });
    const projectId = (projects.body.data?.['projects'] as { edges: { node: { id: string } }[] }).edges[0]!.node.id;
    const onB = await subscribeChanges(b, await tokenOf(alice));

    const created = await createRequest(a, projectId, 'cross-instance-01');
    // The feed delivers row states: an approval projected in the same batch as the creation would be all B sees.
    // This test is about crossing instances, so it lets B see the new request before approving it.
    await expect
      .poll(() => onB.some((change) => change.vmRequest.id === created.id && change.vmRequest.status === 'PENDING'), {
        ...POLL,
        message: 'the new request to reach the subscriber on the other instance',
      })
      .toBe(true);
    const approve = await postGraphQL(
      a.url,
      'mutation($input: ApproveVmRequestInput!) { approveVmRequest(input: $input) { __typename } }',
      { authorization: `Bearer ${await tokenOf(bob)}` },
      { input: { id: created.id, expectedVersion: created.version } },
    );
    expect(approve.body.data?.['approveVmRequest']).toEqual({ __typename: 'ApproveVmRequestPayload' });

    const statuses = await vi.waitFor(() => {
      const mine = onB.filter((change) => change.vmRequest.id === created.id).map((change) => change.vmRequest.status);
      expect(mine, 'the approval to reach the subscriber on the other instance').toContain('APPROVED');
      return mine;
    }, POLL);
    expect(statuses[0]).toBe('PENDING');
    expect(statuses.at(-1)).toBe('APPROVED');
  });

  it('keeps serving live changes when the instance leading the projector stops (leadership moves)', async () => {
    const leads = (instance: Instance) => instance.output.some((line) => /\[projector\] leading vm_requests$/.test(line));
    const leader = leads(a) ? a : b;
    const follower = leader === a ? b : a;
    expect(leads(follower)).toBe(false);
    const projects = await postGraphQL(follower.url, '{ projects { edges { node { id } } } }', { authorization: `Bearer ${await tokenOf(alice)}` });
    const projectId = (projects.body.data?.['projects'] as { edges: { node: { id: string } }[] }).edges[0]!.node.id;
    const onFollower = await subscribeChanges(follower, await tokenOf(alice));

    expect(await stopInstance(leader)).toBe(0);
    expect(leader.output.join('\n')).toContain('[main] stopped');

    const created = await createRequest(follower, projectId, 'after-failover-01');
    const change = await vi.waitFor(() => {
      const projected = onFollower.find((entry) => entry.vmRequest.id === created.id);
      expect(projected, 'a change projected after the leading instance stopped').toBeDefined();
      return projected!;
    }, POLL);
    expect(change.vmRequest).toMatchObject({ vmName: 'after-failover-01', status: 'PENDING' });
    expect(leads(follower)).toBe(true);
  });
});
