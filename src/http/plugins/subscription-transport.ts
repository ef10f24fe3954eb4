import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const EVENT_STREAM = /(^|,)\s*text\/event-stream\s*(;|,|$)/i;

/**
 * A subscription over HTTP is served only to a client that asks for a stream (`Accept: text/event-stream`, as
 * SSE clients send). A plain JSON request for one (no Accept, or `*\/*`) would otherwise get an event stream that
 * a JSON client waits on forever, or a bodiless 406: it is refused at once with a message naming the transports.
 * WebSocket operations carry no HTTP request in their context and pass.
 */
export function useSubscriptionTransports(): Plugin<{ request?: Request }> {
  return {
    onSubscribe({ context, setResultAndStopExecution }) {
      const request = context.request;
      if (!request || EVENT_STREAM.test(request.headers.get('accept') ?? '')) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            'Subscriptions are served over WebSocket (graphql-ws protocol) or Server-Sent Events (send Accept: text/event-stream), not as a plain HTTP request.',
            { extensions: { code: 'BAD_REQUEST', http: { status: 406 } } },
          ),
        ],
      });
    },
  };
}
