import { createHash } from 'node:crypto';

/** The chain's value before its first event: 32 zero bytes. */
export const GENESIS: Buffer = Buffer.alloc(32);

/**
 * One link of the global chain: SHA-256 over the previous chain hash (32 bytes), the event's position (8 bytes, big
 * endian) and the event's own hash (32 bytes, the hex `events.hash` decoded). Fixed-width binary fields leave no
 * room for two different inputs to encode alike, and anyone can recompute it from the log with any SHA-256 tool.
 */
export function chainHash(previous: Buffer, position: bigint, eventHashHex: string): Buffer {
  const positionBytes = Buffer.alloc(8);
  positionBytes.writeBigUInt64BE(position);
  return createHash('sha256').update(previous).update(positionBytes).update(Buffer.from(eventHashHex, 'hex')).digest();
}
