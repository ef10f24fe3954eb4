import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddProjectMemberDocument,
  ApproveVmRequestDocument,
  CancelVmRequestDocument,
  CreateProjectDocument,
  CreateVmRequestDocument,
  RejectVmRequestDocument,
  RemoveProjectMemberDocument,
} from './generated/graphql.ts';
import { httpRaw } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let tenant: Tenant;
let requestId: string;

const eventCount = async (): Promise<number> => (await server.database.sql<{ n: number }[]>`select count(*)::int as n from events`)[0]!.n;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await setupTenant(server);
  requestId = (await createRequest(server, tenant.aliceToken, tenant.projectId)).id;
});

afterAll(async () => {
  await server?.close();
});

type Expected = { validation: string } | 'graphql-error';
type Case = [label: string, input: Record<string, unknown>, expected: Expected];

const huge = (n: number) => 'x'.repeat(n);
const vm = () => ({ projectId: tenant.projectId, vmName: 'web-01', size: 'M', justification: 'Needed for the load tests' });

const cases: Record<string, { document: string; token: () => string; cases: () => Case[] }> = {
  createVmRequest: {
    document: print(CreateVmRequestDocument),
    token: () => tenant.aliceToken,
    cases: () => [
      ['unknown size', { ...vm(), size: 'XXL' }, 'graphql-error'],
      ['size in lower case', { ...vm(), size: 'm' }, 'graphql-error'],
      ['size as a number', { ...vm(), size: 2 }, 'graphql-error'],
      ['vmName as a number', { ...vm(), vmName: 42 }, 'graphql-error'],
      ['missing justification', { projectId: tenant.projectId, vmName: 'web-01', size: 'M' }, 'graphql-error'],
      ['an unknown field', { ...vm(), owner: 'mallory' }, 'graphql-error'],
      ['empty vmName', { ...vm(), vmName: '' }, { validation: 'vmName' }],
      ['blank vmName', { ...vm(), vmName: '   ' }, { validation: 'vmName' }],
      ['huge vmName', { ...vm(), vmName: huge(100_000) }, { validation: 'vmName' }],
      ['unicode vmName', { ...vm(), vmName: 'wéb-01' }, { validation: 'vmName' }],
      ['emoji vmName', { ...vm(), vmName: 'web-🚀' }, { validation: 'vmName' }],
      ['vmName with --', { ...vm(), vmName: 'web--01' }, { validation: 'vmName' }],
      ['empty justification', { ...vm(), justification: '' }, { validation: 'justification' }],
      ['9 characters of justification', { ...vm(), justification: '123456789' }, { validation: 'justification' }],
      ['1001 characters of justification', { ...vm(), justification: huge(1001) }, { validation: 'justification' }],
      ['huge justification', { ...vm(), justification: huge(500_000) }, { validation: 'justification' }],
      ['9 emoji of justification', { ...vm(), justification: '🚀'.repeat(9) }, { validation: 'justification' }],
      ['NUL in the justification', { ...vm(), justification: 'Needed for\u0000 the tests' }, { validation: 'justification' }],
      ['huge idempotency key', { ...vm(), idempotencyKey: huge(5000) }, { validation: 'idempotencyKey' }],
      ['a lone surrogate in the justification', { ...vm(), justification: 'Needed for \ud800 the tests' }, { validation: 'justification' }],
      ['a lone low surrogate in the justification', { ...vm(), justification: '\udc00 Needed for the tests' }, { validation: 'justification' }],
      ['an escape sequence in the justification', { ...vm(), justification: 'Needed for \u001b[2J the tests' }, { validation: 'justification' }],
      ['a lone surrogate in the vmName', { ...vm(), vmName: 'web\ud800' }, { validation: 'vmName' }],
      ['a lone surrogate in the idempotency key', { ...vm(), idempotencyKey: 'key-\ud800' }, { validation: 'idempotencyKey' }],
      ['a control character in the idempotency key', { ...vm(), idempotencyKey: 'key\u0000' }, { validation: 'idempotencyKey' }],
    ],
  },
  approveVmRequest: {
    document: print(ApproveVmRequestDocument),
    token: () => tenant.adminToken,
    cases: () => [
      ['expectedVersion as a string', { id: requestId, expectedVersion: '1' }, 'graphql-error'],
      ['expectedVersion as a float', { id: requestId, expectedVersion: 1.5 }, 'graphql-error'],
      ['expectedVersion beyond Int', { id: requestId, expectedVersion: 2 ** 40 }, 'graphql-error'],
      ['missing expectedVersion', { id: requestId }, 'graphql-error'],
      ['id as an object', { id: { id: requestId }, expectedVersion: 1 }, 'graphql-error'],
      ['negative expectedVersion', { id: requestId, expectedVersion: -1 }, { validation: 'expectedVersion' }],
    ],
  },
  rejectVmRequest: {
    document: print(RejectVmRequestDocument),
    token: () => tenant.adminToken,
    cases: () => [
      ['missing reason', { id: requestId, expectedVersion: 1 }, 'graphql-error'],
      ['reason as a list', { id: requestId, expectedVersion: 1, reason: ['too', 'expensive'] }, 'graphql-error'],
      ['empty reason', { id: requestId, expectedVersion: 1, reason: '' }, { validation: 'reason' }],
      ['9 characters of reason', { id: requestId, expectedVersion: 1, reason: 'Too much.' }, { validation: 'reason' }],
      ['501 characters of reason', { id: requestId, expectedVersion: 1, reason: huge(501) }, { validation: 'reason' }],
      ['huge reason', { id: requestId, expectedVersion: 1, reason: huge(200_000) }, { validation: 'reason' }],
      ['a lone surrogate in the reason', { id: requestId, expectedVersion: 1, reason: 'Too expensive \ud800 now' }, { validation: 'reason' }],
    ],
  },
  cancelVmRequest: {
    document: print(CancelVmRequestDocument),
    token: () => tenant.aliceToken,
    cases: () => [
      ['missing id', { reason: 'no longer needed' }, 'graphql-error'],
      ['reason as a number', { id: requestId, reason: 7 }, 'graphql-error'],
      ['501 characters of reason', { id: requestId, reason: huge(501) }, { validation: 'reason' }],
      ['a lone surrogate in the reason', { id: requestId, reason: 'no longer \udbff needed' }, { validation: 'reason' }],
      ['a NUL in the reason', { id: requestId, reason: 'no longer\u0000 needed' }, { validation: 'reason' }],
    ],
  },
  createProject: {
    document: print(CreateProjectDocument),
    token: () => tenant.adminToken,
    cases: () => [
      ['name as a boolean', { name: true }, 'graphql-error'],
      ['missing name', { description: 'no name' }, 'graphql-error'],
      ['empty name', { name: '' }, { validation: 'name' }],
      ['2 characters of name', { name: 'ab' }, { validation: 'name' }],
      ['huge name', { name: huge(100_000) }, { validation: 'name' }],
      ['unicode name', { name: 'Wébshop' }, { validation: 'name' }],
      ['a taken name in other case', { name: `WEB ${tenant.tenant.toUpperCase()}` }, { validation: 'name' }],
      ['huge description', { name: 'Valid name', description: huge(100_000) }, { validation: 'description' }],
      ['a lone surrogate in the description', { name: 'Valid name', description: 'Web \ud800 shop' }, { validation: 'description' }],
      ['a control character in the description', { name: 'Valid name', description: 'Web \u0007 shop' }, { validation: 'description' }],
      ['a lone surrogate in the name', { name: 'Web\ud800shop' }, { validation: 'name' }],
    ],
  },
  addProjectMember: {
    document: print(AddProjectMemberDocument),
    token: () => tenant.adminToken,
    cases: () => [
      ['unknown role', { projectId: tenant.projectId, userId: 'carol', role: 'OWNER' }, 'graphql-error'],
      ['role in lower case', { projectId: tenant.projectId, userId: 'carol', role: 'member' }, 'graphql-error'],
      ['missing userId', { projectId: tenant.projectId, role: 'MEMBER' }, 'graphql-error'],
      ['empty userId', { projectId: tenant.projectId, userId: '', role: 'MEMBER' }, { validation: 'userId' }],
      ['a lone surrogate in the userId', { projectId: tenant.projectId, userId: 'carol\ud800', role: 'MEMBER' }, { validation: 'userId' }],
      ['a NUL in the userId', { projectId: tenant.projectId, userId: 'carol\u0000', role: 'MEMBER' }, { validation: 'userId' }],
      ['a line break in the userId', { projectId: tenant.projectId, userId: 'carol\nmallory', role: 'MEMBER' }, { validation: 'userId' }],
      ['256 characters of userId', { projectId: tenant.projectId, userId: huge(256), role: 'MEMBER' }, { validation: 'userId' }],
      ['900 KB of userId', { projectId: tenant.projectId, userId: huge(900_000), role: 'MEMBER' }, { validation: 'userId' }],
    ],
  },
  removeProjectMember: {
    document: print(RemoveProjectMemberDocument),
    token: () => tenant.adminToken,
    cases: () => [
      ['userId as a number', { projectId: tenant.projectId, userId: 12.5 }, 'graphql-error'],
      ['empty userId', { projectId: tenant.projectId, userId: '   ' }, { validation: 'userId' }],
      ['a lone surrogate in the userId', { projectId: tenant.projectId, userId: '\ud800' }, { validation: 'userId' }],
      ['900 KB of userId', { projectId: tenant.projectId, userId: huge(900_000) }, { validation: 'userId' }],
    ],
  },
};

describe('bad input on every mutation: a clear error, nothing written', () => {
  for (const [mutation, spec] of Object.entries(cases)) {
    it(mutation, async () => {
      for (const [label, input, expected] of spec.cases()) {
        const before = await eventCount();
        const result = await httpRaw<Record<string, { __typename: string; field?: string; message: string }>>(
          server.url,
          spec.token(),
          { query: spec.document, variables: { input } },
        );
        const what = `${mutation}: ${label}`;
        if (expected === 'graphql-error') {
          expect(result.errors?.length, what).toBeGreaterThan(0);
          expect(result.data ?? null, what).toBeNull();
          // A client mistake, told as such (not masked as an unexpected server error).
          expect(result.errors?.[0]?.message, what).not.toMatch(/unexpected/i);
        } else {
          expect(result.errors, what).toBeUndefined();
          expect(result.data?.[mutation], what).toMatchObject({ __typename: 'ValidationError', field: expected.validation });
          expect(result.data?.[mutation]?.message.length, what).toBeGreaterThan(0);
        }
        expect(await eventCount(), what).toBe(before);
      }
    });
  }

  it('a body over the size limit is refused before anything runs', async () => {
    const before = await eventCount();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.aliceToken}` },
      body: JSON.stringify({ query: print(CreateVmRequestDocument), variables: { input: { ...vm(), justification: huge(3_000_000) } } }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await eventCount()).toBe(before);
  });
});
