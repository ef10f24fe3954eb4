import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../domain/principal.ts';
import type { GraphQLContext } from '../graphql/context.ts';
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
      onSubscribe: async (ctx, _id, payload) => {
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
      subscribe: (args) => run(args, (enveloped) => enveloped.subscribe(args)),
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
