import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/**
 * How results reach one WebSocket: text messages, corked per tick, each acknowledged once it is written.
 *
 * Everything written within one tick goes out in one write to the TCP socket: one change fanned out to many
 * subscriptions on a socket is one syscall, not one per subscription. ws offers no batching of its own, so the
 * adapter corks the TCP socket the WebSocket runs on (the upgrade request's socket) and uncorks it on the next tick.
 * Messages keep their order: every frame, graphql-ws's own included, goes through the same ws sender in call order.
 *
 * Backpressure is the caller's: `done` runs once the message has been handed to the operating system, so a writer
 * that waits for it before writing again holds at most one message per stream while a client is not reading.
 */
export class SocketAdapter {
  private corked = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly tcp: Socket,
  ) {}

  /** Still open: messages written now can reach the client. A closing socket ends its streams on its own. */
  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Writes one text message; `done` runs once it is written, with the error if it could not be. */
  write(message: string, done: (error?: Error) => void): void {
    if (!this.corked) {
      this.corked = true;
      this.tcp.cork();
      process.nextTick(uncork, this);
    }
    this.socket.send(message, done);
  }

  /** Sends what was corked (next tick). */
  flush(): void {
    this.corked = false;
    this.tcp.uncork();
  }
}

// One function for every adapter, given the adapter, rather than a bound one per socket.
const uncork = (adapter: SocketAdapter): void => adapter.flush();
