import { createCommandHandlers } from '../../src/commands/index.ts';
import type { Sql } from '../../src/db/client.ts';
import { dbTest } from '../support/db-test.ts';
import { alice, bob } from '../support/personas.ts';

/** dbTest with command handlers on the file's event store. */
export const commandsTest = dbTest.extend('commands', { scope: 'file' }, ({ store }) => createCommandHandlers(store));

/** commandsTest with bob's project "Webshop", alice a member of it, created once for the file. */
export const projectTest = commandsTest.extend('projectId', { scope: 'file' }, async ({ commands }) => {
  const projectId = success(await commands.createProject(bob, { name: 'Webshop' })).id;
  success(await commands.addProjectMember(bob, { projectId, userId: alice.userId, role: 'MEMBER' }));
  return projectId;
});

export const countEvents = async (sql: Sql, where: { streamId?: string; type?: string } = {}): Promise<number> => {
  const rows = await sql<{ n: number }[]>`
    select count(*)::int as n from events
    where (${where.streamId ?? null}::text is null or stream_id = ${where.streamId ?? null})
      and (${where.type ?? null}::text is null or event_type = ${where.type ?? null})`;
  return rows[0]?.n ?? 0;
};

/** Unwraps a success, failing the test with the refusal otherwise. */
export const success = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
};

/** Unwraps a refusal, failing the test on success. */
export const refusal = <E>(result: { ok: true; value: unknown } | { ok: false; error: E }): E => {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result.error;
};

export const validRequest = (projectId: string, vmName = 'web-01') => ({
  projectId,
  vmName,
  size: 'M',
  justification: 'Staging server for the shop',
});
