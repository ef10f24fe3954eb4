import type { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';

type GraphQLArmorConfig = NonNullable<Parameters<typeof EnvelopArmorPlugin>[0]>;

/** Largest request body over HTTP and largest WebSocket message. A real operation is a few KiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Longest pause in the arrival of a request body before it is answered 408 and the connection closed
 * (body-timeout.ts). A body of at most MAX_BODY_BYTES that stops for this long has stopped for good.
 */
export const BODY_IDLE_TIMEOUT_MS = 3_000;

/**
 * A refusal becomes an ordinary validation error (so HTTP answers 400, as for any invalid document) with a code
 * clients can branch on. armor's own way, throwing from the validator, answers 200 and prefixes "Syntax Error".
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(
        new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'QUERY_TOO_COMPLEX' } }),
      ),
  ],
};

/**
 * graphql-armor limits, checked while the document is parsed and validated, before anything executes. Each leaves
 * room above what the real client documents (test/e2e/documents) and api.md ask for, and stops what only a costly or
 * abusive document would ask for; test/e2e/http-limits.test.ts holds both sides:
 * - depth: the deepest real query (`vmRequests { edges { node { project { members { userId } } } } }`) with room
 *   to spare;
 * - cost (armor's static estimate; a literal `first: N` multiplies its subtree): a full page of 100 requests with
 *   every field and their projects passes; the same page with every timeline and audit trail (a hash-chain
 *   verification per request) is refused;
 * - tokens: GraphiQL's introspection query and every client document pass.
 * Introspection is exempt from depth and cost (it is deep by nature) but not from the token limit.
 */
export const armorConfig: GraphQLArmorConfig = {
  maxDepth: { n: 8, ignoreIntrospection: true, flattenFragments: true, ...asValidationError },
  costLimit: {
    ...asValidationError,
    maxCost: 25_000,
    objectCost: 2,
    scalarCost: 1,
    depthCostFactor: 1.5,
    ignoreIntrospection: true,
    flattenFragments: true,
  },
  maxAliases: { n: 15, ...asValidationError },
  maxDirectives: { n: 20, ...asValidationError },
  // Counted while parsing, where there is no validation context: refused as a syntax error (HTTP 400 as well).
  maxTokens: { n: 1_000 },
  blockFieldSuggestion: { enabled: true },
};
