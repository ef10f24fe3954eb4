import { describe, expect, it } from 'vitest';
import { createProjectCache, type ProjectSnapshot } from '../../src/commands/project-cache.ts';

const snapshot = (version: number): ProjectSnapshot => ({ tenantId: 'acme', state: { exists: false } as never, version });

describe('project cache', () => {
  it('keeps at most `max` entries, dropping the least recently used', () => {
    const cache = createProjectCache(3);
    cache.set('a', snapshot(1));
    cache.set('b', snapshot(1));
    cache.set('c', snapshot(1));
    expect(cache.get('a')?.version).toBe(1); // a is now the most recently used
    cache.set('d', snapshot(1)); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => cache.get(id)?.version)).toEqual([1, 1, 1]);
  });

  it('replaces and deletes entries', () => {
    const cache = createProjectCache();
    cache.set('a', snapshot(1));
    cache.set('a', snapshot(2));
    expect(cache.get('a')?.version).toBe(2);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
