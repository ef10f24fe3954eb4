import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveSocket, type SocketAdapter } from '../../src/http/live-socket/index.ts';
import { wsPair } from '../support/ws-pair.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A WebSocket and its server side's adapter, as graphql-ws's connection gets it. */
const connect = async () => {
  const pair = await wsPair();
  closers.push(pair.close);
  return { ...pair, adapter: new LiveSocket().adapter(pair.socket, pair.request) };
};

/** Message `n` of a stream: its number, padded to `size` with a pattern that shows any torn or mixed-up bytes. */
const message = (stream: string, n: number, size: number): string => {
  const head = `${stream}:${n}:`;
  return head + String.fromCharCode(97 + (n % 26)).repeat(Math.max(0, size - head.length));
};

/** Writes messages one after another, each once the previous one is written, as a subscription's stream does. */
const writeInTurn = (adapter: SocketAdapter, stream: string, size: number) => {
  const state = { written: 0, limit: Infinity, error: undefined as Error | undefined };
  const next = (): void => {
    if (state.written >= state.limit) return;
    adapter.write(message(stream, state.written, size), (error) => {
      if (error) state.error = error;
      else {
        state.written++;
        next();
      }
    });
  };
  next();
  return state;
};

describe('the socket adapter', () => {
  it('corks the TCP socket for the rest of the tick and writes what it gathered in order, intact', async () => {
    const { adapter, tcp, received } = await connect();
    const sizes = [10, 70_000, 200, 300_000, 3];
    const expected: string[] = [];
    // Three subscriptions of one socket, each sending its results of one change within one tick.
    for (let n = 0; n < 300; n++) {
      for (const stream of ['a', 'b', 'c']) {
        const text = message(stream, n, sizes[n % sizes.length]!);
        expected.push(text);
        adapter.write(text, () => {});
      }
    }
    expect(tcp.writableCorked).toBe(1);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(tcp.writableCorked).toBe(0);
    await vi.waitFor(() => expect(received.length).toBe(expected.length), { timeout: 30_000 });
    expect(received).toEqual(expected);
  });

  it('keeps messages and frames of other senders on the socket in call order', async () => {
    const { adapter, socket, received } = await connect();
    adapter.write('first', () => {});
    socket.send('between'); // as graphql-ws sends `complete` right after a stream's last `next`
    adapter.write('last', () => {});
    await vi.waitFor(() => expect(received).toEqual(['first', 'between', 'last']));
  });

  it('holds a writer that waits for each write while the client is not reading: bounded, then all of it in order', async () => {
    const { adapter, tcp, client, received } = await connect();
    client.pause();
    const size = 64 * 1024;
    const writer = writeInTurn(adapter, 's', size);
    // Until the kernel's buffers on both sides are full and the writer waits for its write to complete.
    let last = -1;
    await vi.waitFor(
      () => {
        const stalled = writer.written === last;
        last = writer.written;
        if (!stalled) throw new Error('still writing');
      },
      { timeout: 30_000, interval: 300 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(writer.written).toBe(last);
    // The server holds at most the one message in flight, not a queue (the kernel's socket buffers hold the rest).
    expect(tcp.writableLength).toBeLessThanOrEqual(size + 16);
    expect(writer.written * size).toBeLessThan(64 * 1024 * 1024);
    expect(writer.error).toBeUndefined();

    writer.limit = last + 20;
    client.resume();
    await vi.waitFor(() => expect(received.length).toBe(writer.limit), { timeout: 30_000 });
    expect(writer.written).toBe(writer.limit);
    received.forEach((text, n) => expect(text === message('s', n, size), `message ${n} intact and in order`).toBe(true));
  });

  it('is no longer open once its socket closes, and reports a write it could not make', async () => {
    const { adapter, socket } = await connect();
    expect(adapter.open).toBe(true);
    socket.close();
    expect(adapter.open).toBe(false);
    const error = await new Promise<Error | undefined>((resolve) => adapter.write('late', resolve));
    expect(error).toBeInstanceOf(Error);
  });
});
