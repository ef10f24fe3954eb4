// The GraphQL layer's public surface, for main.ts, src/http (types) and tests.
export { buildSchema, printSortedSchema } from './schema.ts';
export { createLiveFeed, type LiveFeedOptions } from './live/vm-request-feed.ts';
export type { GraphQLContext, LiveFeed, Services } from './context.ts';
