import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../domain/principal.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import type { Authenticator } from './auth.ts';
import { logUnexpected, maskedError } from './errors.ts';
import { MAX_BODY_BYTES } from './limits.ts';
import { Heartbeat } from './live-socket/heartbeat.ts';
import type { LiveSocket, SocketAdapter } from './live-socket/index.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { ServerContext } from './server-context.ts';

type Yoga = YogaServerInstance<ServerContext, GraphQLContext>;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

/** What each connection carries between graphql-ws callbacks (set once its token is accepted). */
type Extra = { principal?: Principal; adapter?: SocketAdapter; minCursor?: string | null };

/** An operation as onSubscribe prepared it, for graphql-ws's execute or subscribe callback to run. */
interface Prepared {
  enveloped: Enveloped;
  adapter: SocketAdapter | undefined;
  id: string;
}

export interface GraphQLWsOptions {
  server: Server;
  path: string;
  yoga: Yoga;
  /** The live path whose plugin `yoga` runs: subscriptions' results are written through it. */
  live: LiveSocket;
  authenticator: Authenticator;
  metrics: Metrics;
  logger: Logger;
  /** Operations one socket may run at once; more are refused with an error (not a close). */
  maxOperationsPerSocket: number;
}

// setTimeout's largest delay; a token valid for longer is simply not re-checked before then.
const MAX_TIMER_MS = 2_147_483_647;
const CLOSE_FORBIDDEN = 4403;
/** Ping every socket this often; one that has not answered the previous ping by then is dropped (graphql-ws's default). */
const KEEP_ALIVE_MS = 12_000;

/**
 * graphql-ws on the HTTP server's /graphql, executing through yoga's envelop so auth, limits, masking and
 * metrics behave exactly as over HTTP. The token is checked once, at connection_init
 * (`connectionParams.authorization`); without a valid one the socket is closed with 4403 Forbidden. A socket
 * whose token expires is closed the same way, so a long-lived connection cannot outlive its credentials.
 * Subscriptions' results go out through `live` (live-socket/): shared execution, then straight to the socket.
 */
export function attachGraphQLWs(options: GraphQLWsOptions): { close(): Promise<void> } {
  const { yoga, live, authenticator, metrics, logger } = options;
  const wss = new WebSocketServer({ server: options.server, path: options.path, maxPayload: MAX_BODY_BYTES });
  /** By the arguments onSubscribe returned, which graphql-ws hands to execute or subscribe as they are. */
  const prepared = new WeakMap<ExecutionArgs, Prepared>();

  // One listener function for every socket (not a closure each): idle sockets are what this server holds most of.
  const onClosed = (): void => metrics.websocketClosed();
  const heartbeat = new Heartbeat(KEEP_ALIVE_MS);
  wss.on('connection', (socket) => {
    metrics.websocketOpened();
    socket.on('close', onClosed);
    heartbeat.add(socket);
  });
  wss.on('error', (error) => logger.error('websocket server error', { error: error.message }));

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const result = await authenticator.authenticate(authorizationOf(ctx.connectionParams));
        if (!result.ok) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.principal = result.principal;
        const minCursor = ctx.connectionParams?.['minCursor'];
        ctx.extra.minCursor = typeof minCursor === 'string' ? minCursor : null;
        ctx.extra.adapter = live.adapter(ctx.extra.socket, ctx.extra.request);
        // Nothing needs the upgrade request (its headers, its parser state) or the token again, and graphql-ws keeps
        // both for as long as the connection lasts: let them go.
        (ctx.extra as { request?: unknown }).request = undefined;
        const params = ctx.connectionParams as Record<string, unknown> | undefined;
        if (params) {
          delete params['authorization'];
          delete params['Authorization'];
        }
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
          const enveloped = yoga.getEnveloped({ requestId, principal: ctx.extra.principal, minCursor: ctx.extra.minCursor, webSocket: true, params: payload });
          let document;
          try {
            document = enveloped.parse(payload.query);
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
          const args: ExecutionArgs = {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: await enveloped.contextFactory(),
          };
          prepared.set(args, { enveloped, adapter: ctx.extra.adapter, id });
          return args;
        } catch (error) {
          logUnexpected(logger, error, requestId, 'preparing a WebSocket operation');
          return [maskedError(error, requestId)];
        }
      },
      execute: (args) => take(args).enveloped.execute(args),
      subscribe: async (args) => {
        const { enveloped, adapter, id } = take(args);
        const result = await enveloped.subscribe(args);
        return adapter && isAsyncIterable(result) ? live.stream(result, args.contextValue, adapter, id) : result;
      },
    },
    wss,
    // Keep-alive is `heartbeat`'s, for all sockets at once.
    0,
  );

  /** The preparation of this operation, taken once: a long-lived subscription should not keep its envelop alive. */
  const take = (args: ExecutionArgs): Prepared => {
    const found = prepared.get(args);
    if (!found) throw new Error('operation was not prepared by onSubscribe');
    prepared.delete(args);
    return found;
  };

  return {
    async close() {
      heartbeat.stop();
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** `connectionParams.authorization` (api.md), also accepted as `Authorization` (as GraphiQL users paste it). */
function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const value = params['authorization'] ?? params['Authorization'];
  return typeof value === 'string' ? value : undefined;
}

/** Each socket's expiry timer; the timer and the close listener are shared functions, not closures per socket. */
const expiries = new WeakMap<WebSocket, NodeJS.Timeout>();

function closeExpired(socket: WebSocket): void {
  socket.close(CLOSE_FORBIDDEN, 'Forbidden: token expired');
}

function clearExpiry(this: WebSocket): void {
  clearTimeout(expiries.get(this));
  expiries.delete(this);
}

function expireWithToken(socket: WebSocket, expiresAt: number): void {
  const delay = expiresAt - Date.now();
  if (delay > MAX_TIMER_MS) return;
  const timer = setTimeout(closeExpired, Math.max(0, delay), socket);
  timer.unref();
  expiries.set(socket, timer);
  socket.on('close', clearExpiry);
}
