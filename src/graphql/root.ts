import { builder } from './builder.ts';

// Every root field needs a caller. The HTTP layer already refuses anonymous operations; this holds even if not.
builder.queryType({
  description: "Reads, from the read models, scoped to the caller's tenant and to what the caller may see.",
  authScopes: { authenticated: true },
});
builder.mutationType({
  description:
    'Commands. Each returns a union of its payload (the object as the command left it) and the error types; a ' +
    'refusal writes nothing.',
  authScopes: { authenticated: true },
});
builder.subscriptionType({
  description: 'Live changes over WebSocket (graphql-ws) or server-sent events, with the visibility rules of queries.',
  authScopes: { authenticated: true },
});
