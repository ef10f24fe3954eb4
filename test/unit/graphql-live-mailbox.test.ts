import { describe, expect, it } from 'vitest';
import { createMailbox } from '../../src/graphql/live/mailbox.ts';

describe('a subscriber mailbox', () => {
  it('keeps the latest state per request, moved to the back, so order follows the latest arrival', () => {
    const mailbox = createMailbox<string>(10);
    mailbox.put('a', 'a1');
    mailbox.put('b', 'b1');
    mailbox.put('a', 'a2');
    expect([mailbox.shift(), mailbox.shift(), mailbox.shift()]).toEqual(['b1', 'a2', undefined]);
  });

  it('reports overflow past its capacity instead of growing silently', () => {
    const mailbox = createMailbox<number>(2);
    expect(mailbox.put('a', 1)).toBe(true);
    expect(mailbox.put('b', 2)).toBe(true);
    expect(mailbox.put('a', 3)).toBe(true);
    expect(mailbox.put('c', 4)).toBe(false);
  });
});
