import type { GlobalCheckpoint } from '../event-store/types.ts';

/** Orders two positions in the global log: (transaction id, position), the order the projector applies events in. */
export function compareCheckpoints(a: GlobalCheckpoint, b: GlobalCheckpoint): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

export const checkpointOf = (event: { transactionId: bigint; position: bigint }): GlobalCheckpoint => ({
  transactionId: event.transactionId,
  position: event.position,
});

const CURSOR = /^(\d{1,20}):(\d{1,20})$/;
const MAX_BIGINT = 2n ** 63n - 1n;

/** An opaque, URL-safe cursor for a position in the global log (base64url of "transactionId:position"). */
export function encodeCursor(checkpoint: GlobalCheckpoint): string {
  return Buffer.from(`${checkpoint.transactionId}:${checkpoint.position}`, 'utf8').toString('base64url');
}

/** The position a cursor stands for; null for anything that is not a cursor this code made. */
export function decodeCursor(cursor: string): GlobalCheckpoint | null {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    return null;
  }
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const transactionId = BigInt(match[1]!);
  const position = BigInt(match[2]!);
  if (transactionId > MAX_BIGINT || position > MAX_BIGINT) return null;
  const checkpoint = { transactionId, position };
  // Only the canonical spelling: one position, one cursor.
  return encodeCursor(checkpoint) === cursor ? checkpoint : null;
}
