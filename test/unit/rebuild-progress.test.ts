import { describe, expect, it } from 'vitest';
import { eventsPerSecond, formatRate, progressWriter, renderProgress } from '../../src/projections/progress-bar.ts';

describe('rebuild progress', () => {
  it('one rate: events over the seconds since the rebuild started', () => {
    expect(eventsPerSecond(12_000, 4)).toBe(3_000);
    expect(formatRate(12_000, 4)).toBe('3,000 events/s');
    expect(formatRate(10, 0)).toBe('10,000 events/s'); // no division by zero
    expect(renderProgress('vm_requests', { applied: 500, total: 1_000, seconds: 0.25 })).toBe(
      'rebuild vm_requests [###############---------------]  50.0% 500/1,000 events, 2,000 events/s',
    );
  });

  it('the last line shows the final figures, as the summary does (the swap adds events and time after the last batch)', () => {
    let written = '';
    const stream = { isTTY: false, write: (text: string) => (written += text) };
    const progress = progressWriter(stream, 'projects');
    progress.update({ applied: 1_000, total: 1_000, seconds: 0.5 });
    progress.done({ events: 1_200, seconds: 0.8 });
    const lines = written.trim().split('\n');
    expect(lines.at(-1)).toBe(`rebuild projects [##############################] 100.0% 1,200/1,200 events, ${formatRate(1_200, 0.8)}`);
    expect(formatRate(1_200, 0.8)).toBe('1,500 events/s');
  });
});
