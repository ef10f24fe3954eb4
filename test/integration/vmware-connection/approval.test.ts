import { describe, expect } from 'vitest';
import { createCommandHandlers } from '../../../src/commands/index.ts';
import { refusal, success } from '../commands-fixtures.ts';
import { person } from '../../support/personas.ts';
import { connectionInput, connectionTest as test } from './fixtures.ts';

let tenants = 0;

/** A tenant with a project, a member and a pending request of hers. */
async function pendingRequest(commands: ReturnType<typeof createCommandHandlers>) {
  const tenant = `appr-${++tenants}-${Date.now().toString(36)}`;
  const admin = person(tenant, 'root', 'admin');
  const member = person(tenant, 'mia');
  const project = success(await commands.createProject(admin, { name: 'Shop' }));
  success(await commands.addProjectMember(admin, { projectId: project.id, userId: 'mia', role: 'MEMBER' }));
  const request = success(
    await commands.createVmRequest(member, { projectId: project.id, vmName: 'web-01', size: 'S', justification: 'For the approval test' }),
  );
  return { tenant, admin, member, id: request.id };
}

describe('approving where unconfigured tenants are not simulated', () => {
  test('a tenant without a connection: PROVISIONING_NOT_CONFIGURED saying why, nothing written; with one, approved', async ({ commands, sql }) => {
    const { admin, id } = await pendingRequest(commands);
    const eventsOf = async () => (await sql<{ n: number }[]>`select count(*)::int as n from events where stream_id = ${id}`)[0]!.n;
    const refused = refusal(await commands.approveVmRequest(admin, { id, expectedVersion: 1 }));
    expect(refused).toMatchObject({ code: 'PROVISIONING_NOT_CONFIGURED' });
    expect(refused.message).toMatch(/no vCenter connection.*setVmwareConnection/);
    expect(await eventsOf()).toBe(1);

    success(await commands.setVmwareConnection(admin, connectionInput()));
    const approved = success(await commands.approveVmRequest(admin, { id, expectedVersion: 1 }));
    expect(approved.state.status).toBe('APPROVED');
  });

  test('the request\'s own refusals come first: a member is FORBIDDEN, a stale version a conflict', async ({ commands }) => {
    const { member, admin, id } = await pendingRequest(commands);
    expect(refusal(await commands.approveVmRequest(member, { id, expectedVersion: 1 }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await commands.approveVmRequest(admin, { id, expectedVersion: 7 }))).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
  });

  test('after the connection is removed, approvals are refused again', async ({ commands }) => {
    const first = await pendingRequest(commands);
    success(await commands.setVmwareConnection(first.admin, connectionInput()));
    success(await commands.removeVmwareConnection(first.admin, { expectedVersion: 1 }));
    expect(refusal(await commands.approveVmRequest(first.admin, { id: first.id, expectedVersion: 1 }))).toMatchObject({
      code: 'PROVISIONING_NOT_CONFIGURED',
    });
  });

  test('where they are simulated (the default), a tenant without a connection approves as before', async ({ store, secrets }) => {
    const commands = createCommandHandlers(store, { secrets });
    const { admin, id } = await pendingRequest(commands);
    expect(success(await commands.approveVmRequest(admin, { id, expectedVersion: 1 })).state.status).toBe('APPROVED');
  });
});
