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
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
  },
});
