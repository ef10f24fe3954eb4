import { expect, vi } from 'vitest';
import type { RecordedEvent } from '../../../../src/event-store/index.ts';
import { alice } from '../../../support/personas.ts';
import { type Harness, settled } from './harness.ts';

const expectOk = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(`command refused: ${JSON.stringify(result.error)}`);
  return result.value;
};

/** A request of alice's, provisioned to READY by the running provisioning process. */
export async function readyRequest(h: Harness, vmName: string): Promise<string> {
  const { id } = await h.approvedRequest(vmName);
  const events = await settled(h, id);
  expect(events.at(-1)?.type).toBe('VmRequestReady');
  return id;
}

export const powerOff = async (h: Harness, id: string) => expectOk(await h.commands.requestPowerOff(alice, { id }));
export const powerOn = async (h: Harness, id: string) => expectOk(await h.commands.requestPowerOn(alice, { id }));
export const decommission = async (h: Harness, id: string, reason?: string) =>
  expectOk(await h.commands.requestDecommission(alice, { id, reason }));

/** Waits until the request's last event is `type` and its job is closed, and returns its events. */
export async function until(h: Harness, id: string, type: string, timeoutMs = 30_000): Promise<RecordedEvent[]> {
  return vi.waitFor(
    async () => {
      const events = await h.events(id);
      expect(events.at(-1)?.type, `request ${id}`).toBe(type);
      const [job] = await h.t.sql<{ status: string }[]>`select status from provisioning_jobs where request_id = ${id}`;
      expect(job?.status, `the job of request ${id}`).toBe('DONE');
      return events;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

/** The event types after READY. */
export const afterReady = (events: RecordedEvent[]): string[] =>
  events.slice(events.findIndex((e) => e.type === 'VmRequestReady') + 1).map((e) => e.type);

/** The request's quota hold (the ledger row), if it holds one. */
export async function hold(h: Harness, id: string): Promise<{ running: boolean } | undefined> {
  const [row] = await h.t.sql<{ running: boolean }[]>`select running from project_quota_holds where request_id = ${id}`;
  return row;
}
