import { describe, expect, it } from 'vitest';
import { checkOutageLog, runChecks, type ReadinessCheck } from '../../src/http/readiness.ts';

describe('readiness checks during an outage', () => {
  it('log a failing check once when it starts failing and once when it answers again, per check name', async () => {
    const lines: string[] = [];
    const log = checkOutageLog((line) => lines.push(line));
    let databaseUp = false;
    let attempt = 0;
    const checks: Record<string, ReadinessCheck> = {
      // Each failure with another message, as a real outage gives (refused, reset, shutting down).
      database: () => {
        attempt++;
        if (!databaseUp) throw new Error(`connect ECONNREFUSED (attempt ${attempt})`);
        return { ok: true };
      },
      projector: () => ({ ok: false, detail: 'stalled: vm_requests' }),
    };

    for (let poll = 0; poll < 3; poll++) {
      const report = await runChecks(checks, log);
      expect(report.ok).toBe(false);
      expect(report.checks.database).toEqual({ ok: false, detail: 'check failed' });
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('readiness check database failed: connect ECONNREFUSED (attempt 1)');

    databaseUp = true;
    await runChecks(checks, log);
    await runChecks(checks, log);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^readiness check database works again after \d+\.\d s \(3 failed attempt\(s\)\)$/);

    // A second outage is logged again.
    databaseUp = false;
    await runChecks(checks, log);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('readiness check database failed: connect ECONNREFUSED (attempt 6)');
  });

  it('keeps the outages of different checks apart', async () => {
    const lines: string[] = [];
    const log = checkOutageLog((line) => lines.push(line));
    let liveUp = true;
    const checks: Record<string, ReadinessCheck> = {
      database: () => Promise.reject(new Error('connection ended')),
      live: () => {
        if (!liveUp) throw new Error('listener down');
        return { ok: true };
      },
    };
    await runChecks(checks, log);
    liveUp = false;
    await runChecks(checks, log);
    await runChecks(checks, log);
    liveUp = true;
    await runChecks(checks, log);
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      'readiness check database failed',
      'readiness check live failed',
      expect.stringMatching(/^readiness check live works again after/),
    ]);
  });
});
