import { createCommandHandlers, type CommandHandlers } from '../../src/commands/index.ts';
import { createEventStore, type EventStore } from '../../src/event-store/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

export interface CommandsHarness {
  t: TestDatabase;
  store: EventStore;
  commands: CommandHandlers;
  close(): Promise<void>;
}

export const openCommands = async (options: { max?: number } = {}): Promise<CommandsHarness> => {
  const t = await createTestDatabase(options);
  const store = createEventStore(t.sql);
  return {
    t,
    store,
    commands: createCommandHandlers(store),
    async close() {
      await store.flush();
      await t.close();
    },
  };
};

export const countEvents = async (t: TestDatabase, where: { streamId?: string; type?: string } = {}): Promise<number> => {
  const rows = await t.sql<{ n: number }[]>`
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
