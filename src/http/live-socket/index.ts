import type { IncomingMessage } from 'node:http';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { WebSocket } from 'ws';
import { SharedExecution } from './shared-execution.ts';
import { SocketAdapter } from './socket-adapter.ts';
import { SocketStream } from './socket-stream.ts';

export { SocketAdapter } from './socket-adapter.ts';

/**
 * The live path from execution to the socket, one per server: yoga's end (`plugin`, shared execution of each change
 * for every subscription, shared-execution.ts) and the WebSocket's end (`adapter` and `stream`: each subscription's
 * results serialized once and written straight to its socket, corked per tick, socket-adapter.ts and
 * socket-stream.ts). Both ends meet here, through this instance, so nothing about a subscription is kept in module
 * state and two servers in one process share nothing.
 */
export class LiveSocket {
  private readonly execution = new SharedExecution();

  /** Installed in yoga (server.ts): SSE and WebSocket subscriptions share execution alike. */
  get plugin(): Plugin {
    return this.execution.plugin;
  }

  /** The adapter of a graphql-ws connection: its WebSocket and the TCP socket of its upgrade request. */
  adapter(socket: WebSocket, request: IncomingMessage): SocketAdapter {
    return new SocketAdapter(socket, request.socket);
  }

  /**
   * What graphql-ws iterates for a subscription started with `contextValue`: `results` written straight to the
   * socket as operation `id`'s `next` messages (error-free live results taken directly from the feed).
   */
  stream(results: AsyncIterable<ExecutionResult>, contextValue: unknown, adapter: SocketAdapter, id: string): AsyncIterableIterator<ExecutionResult> {
    return new SocketStream(results, adapter, id, this.json, this.execution.takeDirectResults(contextValue));
  }

  private readonly json = (result: ExecutionResult): string => this.execution.json(result);
}
