import type { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';

type GraphQLArmorConfig = NonNullable<Parameters<typeof EnvelopArmorPlugin>[0]>;

/** Largest request body over HTTP and largest WebSocket message. A real operation is a few KiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * graphql-armor limits, checked while the document is parsed and validated, before anything executes.
 * Tuned against api.md (see test/e2e/http-limits.test.ts): the deepest real query,
 * `vmRequests { edges { node { project { members { userId } } } } }`, is 6 levels; full VmRequest pages of 100
 * with project, members, timeline and audit trail stay well under the cost limit; GraphiQL's introspection is
 * exempt from depth and cost (it is deep by nature) but not from the token limit.
 */
export const armorConfig: GraphQLArmorConfig = {
  maxDepth: { n: 8, ignoreIntrospection: true, flattenFragments: true },
  costLimit: {
    maxCost: 50_000,
    objectCost: 2,
    scalarCost: 1,
    depthCostFactor: 1.5,
    ignoreIntrospection: true,
    flattenFragments: true,
  },
  maxAliases: { n: 15 },
  maxDirectives: { n: 20 },
  maxTokens: { n: 2000 },
  blockFieldSuggestion: { enabled: true },
};
