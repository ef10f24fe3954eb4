import { buildSchema, type ExecutionArgs, type ExecutionResult, parse } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveSocket } from '../../src/http/live-socket/index.ts';
import { createLiveIterator } from '../../src/live/live-iterator.ts';
import { wsPair } from '../support/ws-pair.ts';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type State { n: Int, text: String }
  type Subscription { states: State }
`);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const TEXT = 'x'.repeat(64 * 1024);

/**
 * A live subscription with an endless backlog (a state is always ready, as for a subscriber far behind the feed),
 * subscribed through the live socket's plugin as yoga would, and streamed to a real WebSocket as graphql-ws would.
 */
const liveToSocket = async () => {
  const pair = await wsPair();
  closers.push(pair.close);
  const live = new LiveSocket();
  const source = { taken: 0 };
  const iterator = createLiveIterator<{ n: number; text: string }>(
    () => ({ value: { n: source.taken++, text: TEXT } }),
    () => {},
  );
  Object.assign(schema.getSubscriptionType()!.getFields()['states']!, { subscribe: () => iterator.iterator, resolve: (state: unknown) => state });
  let subscribe: ((args: ExecutionArgs) => Promise<unknown>) | undefined;
  (live.plugin.onSubscribe as (payload: unknown) => void)({ setSubscribeFn: (fn: typeof subscribe) => (subscribe = fn) });
  const contextValue = {};
  const results = (await subscribe!({ schema, document: parse('subscription { states { n text } }'), contextValue })) as AsyncIterable<ExecutionResult>;
  const stream = live.stream(results, contextValue, live.adapter(pair.socket, pair.request), 'op-1');
  const ended = stream.next(); // graphql-ws waits on this for the end of the stream
  return { ...pair, source, stream, ended };
};

describe('a live subscription streamed to its socket', () => {
  it('takes no more states while the client is not reading, and sends every state it took, in order, once it reads', async () => {
    const { client, tcp, received, source, stream, ended } = await liveToSocket();
    client.pause();
    let last = -1;
    await vi.waitFor(
      () => {
        const stalled = source.taken === last;
        last = source.taken;
        if (!stalled) throw new Error('still taking');
      },
      { timeout: 30_000, interval: 300 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(source.taken).toBe(last);
    // One message in flight; what the client has not read waits in the kernel's buffers, not in the server.
    expect(tcp.writableLength).toBeLessThanOrEqual(TEXT.length + 1024);
    expect(source.taken * TEXT.length).toBeLessThan(64 * 1024 * 1024);

    client.resume();
    await vi.waitFor(() => expect(received.length).toBeGreaterThan(last + 20), { timeout: 30_000 });
    await stream.return!();
    expect(await ended).toEqual({ value: undefined, done: true });
    received.forEach((message, n) => {
      const parsed = JSON.parse(message) as { id: string; type: string; payload: ExecutionResult };
      expect(parsed.id).toBe('op-1');
      expect(parsed.type).toBe('next');
      expect(parsed.payload).toEqual({ data: { states: { n, text: TEXT } } });
    });
  });
});
