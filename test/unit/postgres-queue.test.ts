import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingLines, readPackagePatch } from '../support/package-patch.ts';

// postgres.js's connection queues as installed, with patches/postgres+3.4.9.patch applied by npm's postinstall
// (patch-package; patches/README.md says what each change fixes).
const root = new URL('../../node_modules/postgres/', import.meta.url);
const patch = readPackagePatch(new URL('../../patches/postgres+3.4.9.patch', import.meta.url), 'postgres');
type Queue<T> = { readonly length: number; push(x: T): T; shift(): T | undefined; remove(x: T): T | null };
const { default: Queue } = (await import(new URL('src/queue.js', root).href)) as { default: <T>(initial?: T[]) => Queue<T> };

describe('postgres.js connection queues (patched)', () => {
  it('are patched in every copy the package ships, as is every other file the patch changes', () => {
    const queues = patch.filter((file) => file.path.endsWith('/queue.js')).map((file) => file.path);
    expect(queues.sort()).toEqual(['cf/src/queue.js', 'cjs/src/queue.js', 'src/queue.js']);
    for (const file of patch) {
      expect(missingLines(file, readFileSync(new URL(file.path, root), 'utf8')), file.path).toEqual([]);
    }
  });

  it('stay first in, first out under a busy pool: shifted, re-queued and removed, far past a compaction', () => {
    // The busy queue under load: a connection is taken from the front for one more query (shift), moved back
    // (remove finds nothing, push), and now and then one in the middle finishes and leaves (remove) and comes back.
    const queue = Queue<number>();
    const model: number[] = [];
    for (let c = 0; c < 20; c++) {
      queue.push(c);
      model.push(c);
    }
    for (let step = 0; step < 50_000; step++) {
      if (step % 7 === 3) {
        const leaving = model[(step * 13) % model.length]!;
        expect(queue.remove(leaving)).toBe(leaving);
        model.splice(model.indexOf(leaving), 1);
        queue.push(leaving);
        model.push(leaving);
      } else {
        const taken = queue.shift()!;
        expect(taken).toBe(model.shift());
        expect(queue.remove(taken)).toBeNull(); // already out: postgres.js's move() tries anyway
        queue.push(taken);
        model.push(taken);
      }
      expect(queue.length).toBe(model.length);
    }
    const drained: number[] = [];
    while (queue.length > 0) drained.push(queue.shift()!);
    expect(drained).toEqual(model);
    expect(queue.remove(0)).toBeNull();
  });

  it('keep remove() to a span bounded by their live entries, however many were shifted while never empty', () => {
    // remove() is an indexOf over the queue's array: the span it scans is observed by wrapping indexOf for one call.
    // Unpatched, every shift() left a hole that the array kept until it emptied, and every remove() scanned them all.
    const queue = Queue<number>();
    for (let c = 0; c < 20; c++) queue.push(c);
    for (let step = 0; step < 100_000; step++) queue.push(queue.shift()!);
    const scanned: number[] = [];
    const indexOf = Array.prototype.indexOf;
    Array.prototype.indexOf = function (this: unknown[], item: unknown, from?: number) {
      scanned.push(this.length - Math.max(0, from ?? 0));
      return indexOf.call(this, item, from);
    };
    let removed: number | null;
    try {
      removed = queue.remove(-1);
    } finally {
      Array.prototype.indexOf = indexOf;
    }
    expect(removed).toBeNull();
    expect(queue.length).toBe(20);
    expect(scanned).toHaveLength(1);
    // The holes are dropped once they are half the array and at least 1,024, so the span stays under 2,048 + 20.
    expect(scanned[0]).toBeLessThanOrEqual(2 * 1024 + 20);
  });
});
