import { randomUUID } from 'node:crypto';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { type ExecutionArgs, getOperationAST, type GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext, Services } from '../graphql/context.ts';
import type { Authenticator } from './auth.ts';
import { corsFactory, type CorsPolicy } from './cors.ts';
import { armorConfig, MAX_BODY_BYTES } from './limits.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { useBodyLimit } from './plugins/body-limit.ts';
import { useCloseAfterEarlyAnswer } from './plugins/close-after-early-answer.ts';
import { useDisableIntrospection } from './plugins/disable-introspection.ts';
import { useHttpAuth } from './plugins/http-auth.ts';
import { useOperationMetrics } from './plugins/operation-metrics.ts';
import { useRequestParamErrors } from './plugins/request-params.ts';
import { useSubscriptionTransports } from './plugins/subscription-transport.ts';
import { useUnexpectedErrors } from './plugins/unexpected-errors.ts';
import type { ServerContext } from './server-context.ts';

export type DvmmYoga = YogaServerInstance<ServerContext, GraphQLContext>;

export interface YogaAppOptions {
  schema: GraphQLSchema;
  services: Services;
  authenticator: Authenticator;
  metrics: Metrics;
  logger: Logger;
  maskError: (error: unknown, message: string) => Error;
  /** Errors maskError has logged already (yoga would log them a second time). */
  logged: WeakSet<object>;
  /** Errors maskError masked without knowing the request id. */
  unidentified: WeakSet<object>;
  endpoint: string;
  /** Answer introspection queries (`__schema`, `__type`); off, they get an INTROSPECTION_DISABLED error. */
  introspection: boolean;
  /** Which other origins' pages may call the API (cors.ts). */
  cors: CorsPolicy;
  plugins?: Plugin[];
}

/**
 * yoga on /graphql: queries and mutations over POST/GET, subscriptions over SSE (GraphiQL: server.ts).
 * Everything cross-cutting is a plugin (auth, armor limits, metrics, masking), so the WebSocket transport, which
 * executes through this yoga's envelop, gets the same treatment.
 */
export function createYogaApp(options: YogaAppOptions): DvmmYoga {
  const { services, metrics } = options;
  return createYoga<ServerContext, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: options.endpoint,
    landingPage: false,
    // yoga's default reflects any Origin and allows credentials; this answers only the configured origins.
    cors: corsFactory(options.cors),
    // server.ts serves GraphiQL itself (graphiql.ts: precompressed, cacheable, optional).
    graphiql: false,
    maskedErrors: { maskError: options.maskError },
    // Enforced by useBodyLimit, which checks Content-Length rather than counting every body as it streams in.
    maxRequestBodySize: false,
    batching: false,
    logging: yogaLogger(options.logger, options.logged),
    context: ({ principal, requestId }): GraphQLContext => ({
      ...services,
      principal: principal ?? null,
      requestId: requestId ?? randomUUID(),
    }),
    plugins: [
      useHttpAuth(options.authenticator, () => metrics.operation('unknown', '', 'unauthenticated')),
      useBodyLimit(MAX_BODY_BYTES),
      useCloseAfterEarlyAnswer(),
      // After the body limit, so it wraps the parser that counts a chunked body.
      useRequestParamErrors(),
      EnvelopArmorPlugin(armorConfig),
      ...(options.introspection ? [] : [useDisableIntrospection()]),
      useOperationMetrics(metrics),
      useSubscriptionTransports(),
      // Before the plugins of options.plugins (read routing), which wrap whatever execution this sets.
      useGraphQlJit({}, { enableIf: compiledExecution }),
      ...(options.plugins ?? []),
      // Last of ours, first after the schema: masks what execution threw before yoga's own masking sees it.
      useUnexpectedErrors(options.logger, options.unidentified),
    ],
  });
}

/**
 * Queries and mutations over HTTP run compiled (graphql-jit: each document compiled once, kept with yoga's parsed
 * document), which spares graphql-js's interpretation of the document on every request. Subscriptions and
 * operations over graphql-ws keep graphql-js's execution.
 */
function compiledExecution(args: ExecutionArgs): boolean {
  if ((args.contextValue as Partial<ServerContext>).webSocket) return false;
  const operation = getOperationAST(args.document, args.operationName)?.operation;
  return operation === 'query' || operation === 'mutation';
}

/** yoga's own log lines through ours; debug is dropped, and errors maskError already logged are not repeated. */
function yogaLogger(logger: Logger, logged: WeakSet<object>): YogaLogger {
  const text = (args: unknown[]) => args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
  return {
    debug: () => {},
    info: (...args: unknown[]) => logger.info(text(args)),
    warn: (...args: unknown[]) => logger.warn(text(args)),
    error: (...args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null && logged.has(args[0])) return;
      logger.error(text(args));
    },
  };
}
