import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../domain/principal.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { type DirectResults, type ResultSink, takeDirectResults } from '../graphql/live/shared-execution.ts';
import type { Authenticator } from './auth.ts';
import { logUnexpected, maskedError } from './errors.ts';
import { MAX_BODY_BYTES } from './limits.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { ServerContext } from './server-context.ts';

type Yoga = YogaServerInstance<ServerContext, GraphQLContext>;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

/** What each connection carries between graphql-ws callbacks. */
type Extra = { principal?: Principal };

export interface GraphQLWsOptions {
  server: Server;
  path: string;
  yoga: Yoga;
  authenticator: Authenticator;
  metrics: Metrics;
  logger: Logger;
  /** Operations one socket may run at once; more are refused with an error (not a close). */
  maxOperationsPerSocket: number;
}

// setTimeout's largest delay; a token valid for longer is simply not re-checked before then.
const MAX_TIMER_MS = 2_147_483_647;
const CLOSE_FORBIDDEN = 4403;

/**
 * graphql-ws on the HTTP server's /graphql, executing through yoga's envelop so auth, limits, masking and
 * metrics behave exactly as over HTTP. The token is checked once, at connection_init
 * (`connectionParams.authorization`); without a valid one the socket is closed with 4403 Forbidden. A socket
 * whose token expires is closed the same way, so a long-lived connection cannot outlive its credentials.
 */
export function attachGraphQLWs(options: GraphQLWsOptions): { close(): Promise<void> } {
  const { yoga, authenticator, metrics, logger } = options;
  const wss = new WebSocketServer({ server: options.server, path: options.path, maxPayload: MAX_BODY_BYTES });
  const envelopedByContext = new WeakMap<object, Enveloped>();
  /** Where each subscription's results go, by its GraphQL context (set in onSubscribe, taken in subscribe). */
  const destinations = new WeakMap<object, Destination>();

  wss.on('connection', (socket) => {
    batchSendsPerTick(socket);
    metrics.websocketOpened();
    socket.once('close', () => metrics.websocketClosed());
  });
  wss.on('error', (error) => logger.error('websocket server error', { error: error.message }));

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const result = await authenticator.authenticate(authorizationOf(ctx.connectionParams));
        if (!result.ok) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.principal = result.principal;
        expireWithToken(ctx.extra.socket, result.expiresAt);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        // One id per operation: it is the GraphQL context's requestId, in logs and in masked errors.
        const requestId = randomUUID();
        try {
          if (Object.keys(ctx.subscriptions).length > options.maxOperationsPerSocket) {
            return [new GraphQLError(`At most ${options.maxOperationsPerSocket} operations per connection`, { extensions: { code: 'TOO_MANY_OPERATIONS' } })];
          }
          const enveloped = yoga.getEnveloped({ requestId, principal: ctx.extra.principal, params: payload });
          let document;
          try {
            document = enveloped.parse(payload.query);
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
          const contextValue = await enveloped.contextFactory();
          envelopedByContext.set(contextValue, enveloped);
          destinations.set(contextValue, { socket: ctx.extra.socket, id });
          const args: ExecutionArgs = {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue,
          };
          return args;
        } catch (error) {
          logUnexpected(logger, error, requestId, 'preparing a WebSocket operation');
          return [maskedError(error, requestId)];
        }
      },
      execute: (args) => run(args, (enveloped) => enveloped.execute(args)),
      subscribe: async (args) => {
        const destination = destinations.get(args.contextValue as object);
        destinations.delete(args.contextValue as object);
        const result = await run(args, (enveloped) => enveloped.subscribe(args));
        const direct = takeDirectResults(args.contextValue);
        return destination && isAsyncIterable(result) ? new SocketStream(result, destination.socket, destination.id, direct) : result;
      },
    },
    wss,
  );

  /** Executes through the envelop onSubscribe prepared for this operation. */
  const run = (args: ExecutionArgs, fn: (enveloped: Enveloped) => ReturnType<Enveloped['execute']>) => {
    const enveloped = envelopedByContext.get(args.contextValue as object);
    if (!enveloped) throw new Error('operation was not prepared by onSubscribe');
    // Needed once: a long-lived subscription should not keep its envelop alive (memory per idle subscriber).
    envelopedByContext.delete(args.contextValue as object);
    return fn(enveloped);
  };

  return {
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A subscription's socket and its graphql-ws operation id. */
interface Destination {
  socket: WebSocket;
  id: string;
}

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** `next` payloads by result object: a result shared by many subscribers (shared-execution.ts) is serialized once. */
const serialized = new WeakMap<object, string>();

/** The `next` payload exactly as graphql-ws builds it (errors last, as their JSON form). */
const payloadJson = (result: ExecutionResult): string => {
  const { errors, ...rest } = result;
  if (errors) return JSON.stringify({ ...rest, errors: errors.map((error) => error.toJSON()) });
  let json = serialized.get(result);
  if (json === undefined) {
    json = JSON.stringify(result);
    serialized.set(result, json);
  }
  return json;
};

/**
 * A subscription's results written straight to its socket, bypassing graphql-ws's per-result path (an await on
 * `onNext`, an object spread, a message validation and a JSON.stringify of the whole message per subscriber; with
 * 10,000 subscribers of one change that was most of the fan-out). The payload is serialized once per shared result
 * and each socket's message is that string with its operation id around it. A live subscription's error-free
 * results come here directly from the feed (`ResultSink`, shared-execution.ts), without travelling up yoga's
 * iterator chain; results with errors still come up the chain, masked.
 *
 * graphql-ws still runs the protocol: it asks this iterator for its first result, and that answer is the end of the
 * stream (it then sends `complete`) or its error (it sends `error`); results go out meanwhile, each after the
 * previous one's send has completed, as graphql-ws does it, so a client that stops reading holds the stream
 * (whose bounded buffer keeps only the latest states) rather than a queue of messages. `return()` (the client
 * completed the operation, or the socket closed) ends the stream.
 *
 * A class rather than closures: one of these per idle subscriber.
 */
class SocketStream implements AsyncIterableIterator<ExecutionResult>, ResultSink {
  private readonly source: AsyncIterator<ExecutionResult>;
  private readonly prefix: string;
  private started = false;
  private finished = false;
  private waiting: { resolve: (result: IteratorResult<ExecutionResult>) => void; reject: (error: unknown) => void } | null = null;

  constructor(
    stream: AsyncIterable<ExecutionResult>,
    private readonly socket: WebSocket,
    id: string,
    direct: DirectResults | undefined,
  ) {
    this.source = stream[Symbol.asyncIterator]();
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    direct?.attach(this);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.finished) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (!this.started) {
        this.started = true;
        this.pump();
      }
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.finished) {
      this.end();
      await this.source.return?.();
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (!this.finished) {
      this.end();
      await this.source.return?.();
    }
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** A result from the direct path; `done` asks for the next one. */
  sendResult(result: ExecutionResult, done: () => void): void {
    if (this.finished) return;
    this.write(result, done);
  }

  /** The next result up the iterator chain (the only path for streams without a direct one). */
  private pump(): void {
    if (this.finished) return;
    this.source.next().then(
      (step) => {
        if (this.finished) return;
        if (step.done) return this.end();
        this.write(step.value, () => this.pump());
      },
      (error: unknown) => this.end(error ?? new Error('subscription stream failed')),
    );
  }

  private write(result: ExecutionResult, then: () => void): void {
    // As graphql-ws: nothing is sent on a socket that is no longer open; its close ends this stream.
    if (this.socket.readyState !== this.socket.OPEN) return then();
    this.socket.send(this.prefix + payloadJson(result) + '}', (error) => {
      if (!error) return then();
      void this.source.return?.();
      this.end(error);
    });
  }

  private end(error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const consumer = this.waiting;
    this.waiting = null;
    if (error === undefined) consumer?.resolve(DONE);
    else consumer?.reject(error);
  }
}

/**
 * Everything a socket sends within one tick goes out in one write: one change fanned out to many subscriptions
 * on a socket is one syscall, not one per subscription (measured: 10,000 subscribers on 1,000 sockets fan out in
 * about half the time). graphql-ws waits for each send's callback, so backpressure is unchanged.
 */
function batchSendsPerTick(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw) return;
  const send = socket.send.bind(socket) as (data: string, callback?: (error?: Error) => void) => void;
  let corked = false;
  (socket as unknown as { send: typeof send }).send = (data, callback) => {
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(() => {
        corked = false;
        raw.uncork();
      });
    }
    send(data, callback);
  };
}

/** `connectionParams.authorization` (api.md), also accepted as `Authorization` (as GraphiQL users paste it). */
function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const value = params['authorization'] ?? params['Authorization'];
  return typeof value === 'string' ? value : undefined;
}

function expireWithToken(socket: import('ws').WebSocket, expiresAt: number): void {
  const delay = expiresAt - Date.now();
  if (delay > MAX_TIMER_MS) return;
  const timer = setTimeout(() => socket.close(CLOSE_FORBIDDEN, 'Forbidden: token expired'), Math.max(0, delay));
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
