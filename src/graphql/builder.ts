import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { isAdmin } from '../domain/index.ts';
import type { JsonValue } from '../event-store/index.ts';
import type { GraphQLContext } from './context.ts';
import { errorClasses } from './errors/classes.ts';

/**
 * The one typed builder every type file registers with. Fields are non-null unless they say otherwise, as in
 * api.md where nearly everything is required.
 *
 * Scope auth runs first, so no resolver (and no write) runs for a caller without the scope. Scopes sit on the root
 * types only: a nested object is reachable only through a root field that has already been authorised, and checks
 * on every nested field would cost time on each subscription event for nothing.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { authenticated: boolean; admin: boolean };
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: JsonValue; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Checked once when a subscription starts; visibility is then checked by the live feed on every event.
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      authenticated: context.principal !== null,
      admin: context.principal !== null && isAdmin(context.principal),
    }),
    unauthorizedError: (_parent, context) =>
      context.principal === null
        ? new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } })
        : new GraphQLError('Not allowed for your role', { extensions: { code: 'FORBIDDEN' } }),
  },
  errors: {
    defaultTypes: errorClasses,
    directResult: true,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // node(id) is defined in queries/node.ts: an id that does not decode is absent (null), like an invisible one.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    // Edges and the node field are non-null: a page never has holes.
    edgesFieldOptions: { nullable: { list: false, items: false }, description: "The page's items, in the list's order." },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    nodeTypeOptions: { description: 'An object with a global id, which `node(id:)` finds again.' },
    idFieldOptions: { description: 'The global id: opaque, stable, usable with `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its list (Relay cursor connections).' },
    pageInfoFieldOptions: { description: 'Where this page sits in the list.' },
    cursorFieldOptions: { description: 'Pass as `after` (or `before`) to get the items after (or before) this one.' },
    hasNextPageFieldOptions: { description: 'More items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'More items precede this page.' },
    startCursorFieldOptions: { description: "The first item's cursor; null for an empty page." },
    endCursorFieldOptions: { description: "The last item's cursor; null for an empty page." },
    firstArgOptions: { description: 'At most this many items from the start (default 20, at most 100; a larger number is cut to 100).' },
    afterArgOptions: { description: 'Only items after this cursor (an edge cursor or endCursor of an earlier page).' },
    lastArgOptions: { description: 'At most this many items from the end (at most 100).' },
    beforeArgOptions: { description: 'Only items before this cursor (an edge cursor or startCursor of an earlier page).' },
  },
});
