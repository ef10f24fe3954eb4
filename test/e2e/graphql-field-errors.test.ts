import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddProjectMemberDocument,
  CancelVmRequestDocument,
  CreateProjectDocument,
  CreateVmRequestDocument,
  RejectVmRequestDocument,
} from './generated/graphql.ts';
import { httpRaw } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { person } from '../support/personas.ts';
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

type Outcome = { __typename: string; code?: string; field?: string; message?: string; fields?: { field: string; message: string }[] };

/** Runs a mutation and returns its result member, checking that nothing was written. */
const refusal = async (document: string, token: string, input: Record<string, unknown>): Promise<Outcome> => {
  const before = await eventCount();
  const result = await httpRaw<Record<string, Outcome>>(server.url, token, { query: document, variables: { input } });
  expect(result.errors).toBeUndefined();
  expect(await eventCount()).toBe(before);
  const [outcome] = Object.values(result.data ?? {});
  return outcome!;
};

/**
 * A ValidationError naming exactly these fields, in this order (value fields in the form's order, then ids and keys),
 * each with a message; `field` and `message` are the first.
 */
const expectFields = (outcome: Outcome, fields: string[]) => {
  expect(outcome).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: fields[0] });
  expect(outcome.fields?.map((error) => error.field)).toEqual(fields);
  for (const error of outcome.fields ?? []) expect(error.message).toMatch(/\w{3}/);
  expect(outcome.message).toBe(outcome.fields?.[0]?.message);
};

const createVm = print(CreateVmRequestDocument);
const vm = () => ({ projectId: tenant.projectId, vmName: 'web-01', size: 'M', justification: 'Needed for the load tests' });

describe('ValidationError.fields names every invalid field at once, and nothing is written', () => {
  it('createVmRequest: a bad vmName and an empty justification', async () => {
    const outcome = await refusal(createVm, tenant.aliceToken, { ...vm(), vmName: 'Web_01', justification: '' });
    expectFields(outcome, ['vmName', 'justification']);
    expect(outcome.fields?.[0]?.message).toMatch(/VM name/);
    expect(outcome.fields?.[1]?.message).toMatch(/Justification/);
  });

  it('createVmRequest: one bad field is one entry', async () => {
    expectFields(await refusal(createVm, tenant.aliceToken, { ...vm(), justification: 'too short' }), ['justification']);
  });

  it('createVmRequest: a bad idempotency key, refused before any read, still names the value fields too', async () => {
    const outcome = await refusal(createVm, tenant.aliceToken, { ...vm(), vmName: 'a', justification: 'short', idempotencyKey: 'k'.repeat(201) });
    expectFields(outcome, ['vmName', 'justification', 'idempotencyKey']);
  });

  it('createVmRequest: a control character in one field and a bad value in another', async () => {
    const outcome = await refusal(createVm, tenant.aliceToken, { ...vm(), vmName: '--', justification: 'Needed\u0000 for the load tests' });
    expectFields(outcome, ['vmName', 'justification']);
    expect(outcome.fields?.[1]?.message).toMatch(/control characters/);
  });

  it('createVmRequest: who may do what is still decided before the values (domain.md)', async () => {
    const outsider = await server.token(person(tenant.tenant, 'mallory'));
    const outcome = await refusal(createVm, outsider, { ...vm(), vmName: 'Web_01', justification: '' });
    expect(outcome).toMatchObject({ __typename: 'ForbiddenError' });
  });

  it('createProject: a short name and an over-long description', async () => {
    const outcome = await refusal(print(CreateProjectDocument), tenant.adminToken, { name: 'ab', description: 'd'.repeat(2001) });
    expectFields(outcome, ['name', 'description']);
  });

  it('addProjectMember: an empty userId and a bad idempotency key', async () => {
    const outcome = await refusal(print(AddProjectMemberDocument), tenant.adminToken, {
      projectId: tenant.projectId,
      userId: ' ',
      role: 'MEMBER',
      idempotencyKey: 'key\u0000',
    });
    expectFields(outcome, ['userId', 'idempotencyKey']);
  });

  it('rejectVmRequest: a negative expectedVersion and a short reason', async () => {
    const outcome = await refusal(print(RejectVmRequestDocument), tenant.adminToken, { id: requestId, expectedVersion: -1, reason: 'No.' });
    expectFields(outcome, ['reason', 'expectedVersion']);
  });

  it('cancelVmRequest: a lone surrogate in the id and an over-long reason', async () => {
    const outcome = await refusal(print(CancelVmRequestDocument), tenant.aliceToken, { id: `${requestId}\ud800`, reason: 'r'.repeat(501) });
    expectFields(outcome, ['reason', 'id']);
  });
});
