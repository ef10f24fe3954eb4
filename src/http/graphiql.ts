import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphiQLOptions } from 'graphql-yoga';
import type { DevToken } from './dev-tokens.ts';
import { GRAPHIQL_ASSET_PREFIX, graphiqlAssets } from './graphiql-assets.ts';
import { demoUsersResponse } from './graphiql-demo-users.ts';
import { sendStatic, type StaticBody } from './graphiql-http.ts';
import { graphiqlPage } from './graphiql-page.ts';
import { json } from './ops-routes.ts';

export interface GraphiQLConfig {
  /** Serve GraphiQL at GET /graphql (Accept: text/html) and its files under /graphiql/. */
  enabled: boolean;
  /**
   * The demo users' headers for the page's "Sign in as" picker, minted per request. Development only: main.ts sets
   * it exactly where `npm start` prints those tokens. Absent: no picker and no /graphiql/demo-users.
   */
  demoUsers?: () => Promise<readonly DevToken[] | null>;
  /** Build and compress GraphiQL's files at start rather than on the first visit (about a second of CPU). */
  prepareAtStart?: boolean;
}

export interface GraphiQL {
  /** A browser asking the GraphQL path for a page (yoga's rule: GET with text/html in Accept). */
  wantsPage(req: IncomingMessage): boolean;
  page(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Requests under /graphiql/: hashed files and the demo users. */
  files(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export const GRAPHIQL_FILES_ROUTE = GRAPHIQL_ASSET_PREFIX.slice(0, -1);
const DEMO_USERS_PATH = `${GRAPHIQL_ASSET_PREFIX}demo-users`;
const TITLE = 'DVMM GraphiQL';

/** yoga's GraphiQL options: subscriptions over WebSocket, an example that says where a token comes from. */
export function graphiqlOptions(picker = false): GraphiQLOptions {
  return { title: TITLE, subscriptionsProtocol: 'WS', defaultQuery: defaultQuery(picker) };
}

function defaultQuery(picker: boolean): string {
  const hint = picker
    ? `# Signed in as a demo user: "Sign in as" (top right) switches.\n# Or paste {"Authorization": "Bearer <token>"} into the Headers tab below.`
    : `# Paste {"Authorization": "Bearer <token>"} into the Headers tab below (npm start prints one).`;
  return `${hint}
query Me {
  viewer { id tenantId roles }
  vmRequests(first: 10) {
    edges { node { id vmName size status project { name } } }
  }
}
`;
}

// The page names its files by content hash, so they are cached for good; the page itself is revalidated (its ETag
// changes with any file it links).
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** GraphiQL's routes, or null when it is off (then /graphql answers as GraphQL only and /graphiql/ is 404). */
export function createGraphiQL(config: GraphiQLConfig): GraphiQL | null {
  if (!config.enabled) return null;
  const picker = config.demoUsers !== undefined;
  let page: Promise<StaticBody> | undefined;
  // Built once; a failed build is tried again by the next request rather than kept.
  const pageBody = () =>
    (page ??= graphiqlAssets()
      .then((assets) => graphiqlPage(assets, { title: TITLE, options: graphiqlOptions(picker), demoUsersUrl: picker ? DEMO_USERS_PATH : null }))
      .catch((error: unknown) => {
        page = undefined;
        throw error;
      }));
  // A failure here shows again, and is logged, on the first request.
  if (config.prepareAtStart) pageBody().catch(() => {});

  return {
    wantsPage(req) {
      return (req.method === 'GET' || req.method === 'HEAD') && String(req.headers.accept ?? '').includes('text/html');
    },
    async page(req, res) {
      // Vary: Accept, since the same URL answers GraphQL GETs with JSON.
      sendStatic(req, res, await pageBody(), REVALIDATE, ['Accept']);
    },
    async files(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'Method not allowed' });
      const path = (req.url ?? '').split('?')[0];
      if (path === DEMO_USERS_PATH && config.demoUsers) return demoUsersResponse(req, res, config.demoUsers);
      const asset = (await graphiqlAssets()).byPath.get(path ?? '');
      if (!asset) return json(res, 404, { error: 'Not found' });
      sendStatic(req, res, asset, IMMUTABLE);
    },
  };
}
