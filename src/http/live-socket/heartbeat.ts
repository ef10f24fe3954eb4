import { WebSocket } from 'ws';

/** Slices of the sockets, one pinged per tick, so that every socket is pinged once per interval. */
const SLICES = 12;

/**
 * Keep-alive for every WebSocket of a server at once: each socket is pinged once per `intervalMs`, and one that has
 * not answered the previous ping by then is terminated (as graphql-ws's own keep-alive does, which instead gives
 * every socket an interval timer, a closure and a pong listener of its own).
 *
 * The sockets are spread over slices, one slice pinged per tick, so a server with a great many idle sockets pings a
 * few at a time rather than all of them in one turn of the event loop.
 */
export class Heartbeat {
  private readonly slices: Set<WebSocket>[] = Array.from({ length: SLICES }, () => new Set());
  /** Sockets that answered their last ping (or have not been pinged yet). */
  private readonly answered = new WeakSet<WebSocket>();
  private next = 0;
  private tick = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.ping(), intervalMs / SLICES);
    this.timer.unref();
  }

  /** Watches `socket` until it closes. */
  add(socket: WebSocket): void {
    const slice = this.slices[this.next++ % SLICES]!;
    slice.add(socket);
    this.answered.add(socket);
    heartbeats.set(socket, this);
    socket.on('pong', onPong);
    socket.on('close', onClose);
  }

  /** Sockets watched: open ones (a closed socket is let go). */
  watching(): number {
    let count = 0;
    for (const slice of this.slices) count += slice.size;
    return count;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private ping(): void {
    const slice = this.slices[this.tick++ % SLICES]!;
    for (const socket of slice) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (!this.answered.delete(socket)) {
        socket.terminate();
        continue;
      }
      socket.ping();
    }
  }

  /** A pong from `socket`. */
  answer(socket: WebSocket): void {
    this.answered.add(socket);
  }

  /** `socket` closed. */
  remove(socket: WebSocket): void {
    for (const slice of this.slices) if (slice.delete(socket)) break;
  }
}

/** The heartbeat of each socket, for the listeners below: shared functions, not closures per socket. */
const heartbeats = new WeakMap<WebSocket, Heartbeat>();

function onPong(this: WebSocket): void {
  heartbeats.get(this)?.answer(this);
}

function onClose(this: WebSocket): void {
  heartbeats.get(this)?.remove(this);
}
