import type { GlobalCheckpoint } from '../event-store/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export { compareCheckpoints, decodeCursor, encodeCursor } from './cursor.ts';

/** Every projector NOTIFYs here when a batch commits; every API process LISTENs. */
export const CHANGES_CHANNEL = 'dvmm_changes';

/** Postgres refuses NOTIFY payloads of 8,000 bytes or more; stay clearly below. */
export const MAX_PAYLOAD_BYTES = 7_900;

/** One changed read-model row. `position` is the cursor of the last event applied to it (see encodeCursor). */
export interface RowChange {
  projection: string;
  id: string;
  tenantId: string;
  position: string;
}

/** A change with its cursor decoded, as a listener uses it. */
export interface DecodedRowChange {
  projection: string;
  id: string;
  tenantId: string;
  cursor: string;
  checkpoint: GlobalCheckpoint;
}

export function rowChange(projection: string, id: string, tenantId: string, checkpoint: GlobalCheckpoint): RowChange {
  return { projection, id, tenantId, position: encodeCursor(checkpoint) };
}

/**
 * Packs changes into as few NOTIFY payloads as fit: each one a JSON array under MAX_PAYLOAD_BYTES. Nothing is
 * dropped; a single change larger than the limit (ids and tenants are short, so only a bug does this) throws.
 */
export function encodeChanges(changes: readonly RowChange[]): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const change of changes) {
    const json = JSON.stringify({ projection: change.projection, id: change.id, tenantId: change.tenantId, position: change.position });
    const size = Buffer.byteLength(json) + 1;
    if (size + 2 > MAX_PAYLOAD_BYTES) throw new Error(`change of ${change.projection} ${change.id} does not fit a NOTIFY payload`);
    if (bytes + size > MAX_PAYLOAD_BYTES) {
      payloads.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) payloads.push(`[${parts.join(',')}]`);
  return payloads;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads one `dvmm_changes` payload; entries that are not well-formed changes are left out, bad JSON gives []. */
export function parseChanges(payload: string): DecodedRowChange[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const changes: DecodedRowChange[] = [];
  for (const entry of parsed) {
    if (!isRecord(entry)) continue;
    const { projection, id, tenantId, position } = entry;
    if (typeof projection !== 'string' || typeof id !== 'string' || typeof tenantId !== 'string' || typeof position !== 'string') continue;
    const checkpoint = decodeCursor(position);
    if (!checkpoint) continue;
    changes.push({ projection, id, tenantId, cursor: position, checkpoint });
  }
  return changes;
}
