import { GraphQLError } from 'graphql';
import type { Principal } from '../domain/index.ts';
import type { GraphQLContext } from './context.ts';

/**
 * The caller, or an UNAUTHENTICATED error. Scope auth already refuses anonymous callers on every root field;
 * this is the second lock, and it narrows the type for the resolver.
 */
export const requirePrincipal = (context: Pick<GraphQLContext, 'principal'>): Principal => {
  if (context.principal === null) {
    throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  return context.principal;
};
