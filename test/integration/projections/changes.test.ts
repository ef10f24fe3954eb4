import { describe, expect, it } from 'vitest';
import {
  compareCheckpoints,
  decodeCursor,
  encodeChanges,
  encodeCursor,
  MAX_PAYLOAD_BYTES,
  parseChanges,
  rowChange,
} from '../../../src/projections/changes.ts';

describe('change cursors', () => {
  it('round-trip, are opaque and URL-safe, and refuse anything else', () => {
    const checkpoint = { transactionId: 9_007_199_254_740_993n, position: 123_456_789n };
    const cursor = encodeCursor(checkpoint);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(checkpoint);
    for (const bad of ['', 'not a cursor', '!!!', 'a b', Buffer.from('1:2:3').toString('base64url'),
      Buffer.from('-1:2').toString('base64url'), Buffer.from('01:2').toString('base64url'), Buffer.from('99999999999999999999:1').toString('base64url')]) {
      expect(decodeCursor(bad)).toBeNull();
    }
  });

  it('order like the projector applies events: by transaction id, then position', () => {
    expect(compareCheckpoints({ transactionId: 5n, position: 900n }, { transactionId: 6n, position: 1n })).toBeLessThan(0);
    expect(compareCheckpoints({ transactionId: 6n, position: 2n }, { transactionId: 6n, position: 1n })).toBeGreaterThan(0);
    expect(compareCheckpoints({ transactionId: 6n, position: 1n }, { transactionId: 6n, position: 1n })).toBe(0);
  });
});

describe('change payloads', () => {
  it('split over several NOTIFYs, each under the limit, dropping nothing', () => {
    const changes = Array.from({ length: 1000 }, (_, i) =>
      rowChange('vm_requests', crypto.randomUUID(), `tenant-${i % 7}`, { transactionId: 1000n + BigInt(i), position: BigInt(i) }),
    );
    const payloads = encodeChanges(changes);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(MAX_PAYLOAD_BYTES);
    const parsed = payloads.flatMap(parseChanges);
    expect(parsed.map((c) => ({ projection: c.projection, id: c.id, tenantId: c.tenantId, position: c.cursor }))).toEqual(changes);
    expect(parsed[5]!.checkpoint).toEqual({ transactionId: 1005n, position: 5n });
  });

  it('parse defensively', () => {
    expect(parseChanges('not json')).toEqual([]);
    expect(parseChanges('{"a":1}')).toEqual([]);
    expect(parseChanges('[{"projection":"x","id":"1","tenantId":"t","position":"bogus"}, 7]')).toEqual([]);
  });
});
