import type { Plugin } from 'graphql-yoga';

/**
 * @deprecated Shared live execution is part of every server now (src/http/live-socket/, created per server by
 * createServer), so this plugin does nothing. Callers drop it from `plugins`; then this file and its export in
 * src/graphql/index.ts go.
 */
export const useSharedLiveExecution = (): Plugin => ({});
