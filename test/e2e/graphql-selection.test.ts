import { type GraphQLObjectType, getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSchema } from '../../src/graphql/index.ts';
import { dataOf, httpRaw } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Queries read only the columns their selection needs, through statements prepared once per shape and shared by
 * every caller: each field must read the same alone as in a full selection, and no caller may get another's rows.
 */
let server: TestServer;
let a: Tenant;
let b: Tenant;
/** Ids (global) per caller: what each may see. */
let aliceIds: string[];
let bobIds: string[];
let otherTenantIds: string[];

/** Every field of VmRequest, objects with one leaf of theirs (args-free fields only; VmRequest has no others). */
const FIELDS: string[] = (() => {
  const type = buildSchema().getType('VmRequest') as GraphQLObjectType;
  return Object.values(type.getFields()).map((field) => {
    const named = getNamedType(field.type);
    if (!isObjectType(named)) return field.name;
    const leaf = Object.values(named.getFields()).find((f) => !isObjectType(getNamedType(f.type)))!;
    return `${field.name} { ${leaf.name} }`;
  });
})();
const ALL = FIELDS.join(' ');

type Node = Record<string, unknown> & { id: string };
const list = async (token: string, selection: string, args = 'first: 100'): Promise<Node[]> =>
  dataOf(await httpRaw<{ vmRequests: { edges: { node: Node }[] } }>(server.url, token, { query: `{ vmRequests(${args}) { edges { node { ${selection} } } } }` }))
    .vmRequests.edges.map((edge) => edge.node);
const one = async (token: string, id: string, selection: string): Promise<Node | null> =>
  dataOf(await httpRaw<{ vmRequest: Node | null }>(server.url, token, { query: `query($id: ID!) { vmRequest(id: $id) { ${selection} } }`, variables: { id } }))
    .vmRequest;

beforeAll(async () => {
  server = await startTestServer();
  a = await setupTenant(server);
  b = await setupTenant(server);
  aliceIds = [];
  for (let i = 0; i < 3; i++) aliceIds.push((await createRequest(server, a.aliceToken, a.projectId)).id);
  const rejected = await createRequest(server, a.bobToken, a.projectId, { vmName: 'bob-rejected' });
  bobIds = [rejected.id];
  const reject = dataOf(
    await httpRaw<{ rejectVmRequest: { __typename: string } }>(server.url, a.adminToken, {
      query: 'mutation($input: RejectVmRequestInput!) { rejectVmRequest(input: $input) { __typename } }',
      variables: { input: { id: rejected.id, expectedVersion: rejected.version, reason: 'Not in this quarter, sorry' } },
    }),
  );
  expect(reject.rejectVmRequest.__typename).toBe('RejectVmRequestPayload');
  otherTenantIds = [(await createRequest(server, b.aliceToken, b.projectId)).id];
  // Wait for the read model to hold all five, the rejection included.
  await vi.waitFor(
    async () => {
      expect((await list(a.adminToken, 'id status')).filter((node) => node.status === 'REJECTED')).toHaveLength(1);
      expect(await list(b.adminToken, 'id')).toHaveLength(1);
    },
    { timeout: 15_000 },
  );
});

afterAll(async () => {
  await server?.close();
});

describe('a selection reads what its fields need', () => {
  it('each field alone, and every field together, answer as in the full selection (vmRequests and vmRequest)', async () => {
    const full = new Map((await list(a.adminToken, ALL)).map((node) => [node.id, node]));
    expect([...full.keys()].sort()).toEqual([...aliceIds, ...bobIds].sort());
    expect(full.get(bobIds[0]!)).toMatchObject({ status: 'REJECTED', rejectionReason: 'Not in this quarter, sorry', vmName: 'bob-rejected' });
    for (const field of FIELDS) {
      const name = field.split(' ')[0]!;
      for (const node of await list(a.adminToken, `id ${field}`)) expect({ [name]: node[name] }).toEqual({ [name]: full.get(node.id)![name] });
      const id = bobIds[0]!;
      const alone = await one(a.adminToken, id, field);
      expect({ [name]: alone?.[name] }).toEqual({ [name]: full.get(id)![name] });
    }
    expect(await one(a.adminToken, bobIds[0]!, ALL)).toEqual(full.get(bobIds[0]!));
  });

  it('fragments, inline fragments and aliases read their fields too', async () => {
    const query = `{ vmRequests(first: 100) { edges { node { id ...F ... on Node { ... on VmRequest { reason: rejectionReason } } } } } }
      fragment F on VmRequest { name: vmName spec { vcpus } ...G }
      fragment G on VmRequest { createdAt requesterName }`;
    const nodes = dataOf(await httpRaw<{ vmRequests: { edges: { node: Node }[] } }>(server.url, a.adminToken, { query })).vmRequests.edges.map((e) => e.node);
    const full = new Map((await list(a.adminToken, `${ALL} specAgain: spec { vcpus }`)).map((node) => [node.id, node]));
    for (const node of nodes) {
      const expected = full.get(node.id)!;
      expect(node).toEqual({
        id: node.id,
        name: expected['vmName'],
        spec: expected['specAgain'],
        createdAt: expected['createdAt'],
        requesterName: expected['requesterName'],
        reason: expected['rejectionReason'],
      });
    }
    expect(nodes.find((node) => node.id === bobIds[0])?.['reason']).toBe('Not in this quarter, sorry');
  });
});

describe('statements shared by every caller keep each caller to what they may see', () => {
  it('the same queries, interleaved between users, admins and tenants, answer each only their own', async () => {
    const callers = [
      { token: a.aliceToken, sees: aliceIds },
      { token: a.adminToken, sees: [...aliceIds, ...bobIds] },
      { token: b.aliceToken, sees: otherTenantIds },
      { token: a.bobToken, sees: bobIds },
      { token: b.adminToken, sees: otherTenantIds },
    ];
    for (let round = 0; round < 3; round++) {
      for (const caller of callers) {
        expect((await list(caller.token, 'id vmName')).map((node) => node.id).sort()).toEqual([...caller.sees].sort());
        for (const id of [...aliceIds, ...bobIds, ...otherTenantIds]) {
          const found = await one(caller.token, id, 'id vmName');
          expect(found?.id ?? null).toBe(caller.sees.includes(id) ? id : null);
        }
      }
    }
  });

  it('filters and pages are parameters of the statement, not parts of another caller’s', async () => {
    const newestFirst = (await list(a.adminToken, 'id createdAt')).map((node) => node.id);
    // Pages of 1 after each cursor, for the admin and then alice: each page is the next of that caller's own list.
    for (const [token, sees] of [[a.adminToken, newestFirst], [a.aliceToken, newestFirst.filter((id) => aliceIds.includes(id))]] as const) {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: { vmRequests: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean } } } = dataOf(
          await httpRaw(server.url, token, {
            query: 'query($after: String) { vmRequests(first: 1, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage } } }',
            variables: { after },
          }),
        );
        seen.push(...page.vmRequests.edges.map((edge) => edge.node.id));
        if (!page.vmRequests.pageInfo.hasNextPage) break;
        after = page.vmRequests.edges.at(-1)!.cursor;
      }
      expect(seen).toEqual(sees);
    }
    const filtered = async (token: string, filter: string) => (await list(token, 'id', `first: 100, filter: ${filter}`)).map((n) => n.id).sort();
    expect(await filtered(a.adminToken, '{ status: [REJECTED] }')).toEqual(bobIds);
    expect(await filtered(a.aliceToken, '{ status: [REJECTED] }')).toEqual([]);
    expect(await filtered(a.adminToken, '{ status: [PENDING, REJECTED], search: "BOB-rej" }')).toEqual(bobIds);
    expect(await filtered(a.bobToken, '{ status: [PENDING] }')).toEqual([]);
    expect(await filtered(a.adminToken, '{ mine: true }')).toEqual([]);
    expect(await filtered(a.aliceToken, `{ mine: true, projectId: "${a.projectId}" }`)).toEqual([...aliceIds].sort());
    expect(await filtered(b.adminToken, `{ projectId: "${a.projectId}" }`)).toEqual([]);
    expect(await filtered(a.adminToken, `{ projectId: "${a.projectId}", search: "%" }`)).toEqual([]);
  });
});
