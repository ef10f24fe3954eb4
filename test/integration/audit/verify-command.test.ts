import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { verifyCommand } from '../../../src/audit/verify-command.ts';
import { parseConfig } from '../../../src/config/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from '../event-store/fixtures.ts';
import { newSealKey } from './fixtures.ts';

// A seal key of its own, so the command does not create the development key next to the checkout's data folder.
const config = parseConfig({ DVMM_SEAL_KEY: newSealKey().base64 });

describe('cli verify', () => {
  dbTest('says intact, then names the tampered event and exits 2', async ({ sql, store }) => {
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(1), event(2)], options());
    const lines: string[] = [];
    expect(await verifyCommand(sql, [], (l) => lines.push(l), config)).toBe(0);
    expect(await verifyCommand(sql, [stream], (l) => lines.push(l), config)).toBe(0);
    expect(lines.join('\n')).toMatch(/event store: intact \(2 events/);

    const [, second] = await store.readStream(stream);
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update events set data = '{"n": 3}' where position = ${second!.position.toString()}`;
    });
    lines.length = 0;
    expect(await verifyCommand(sql, [], (l) => lines.push(l), config)).toBe(2);
    expect(lines[0]).toContain(`BROKEN at position ${second!.position}`);
    expect(lines[0]).toContain(`stream ${stream}, version 2`);
  });
});
