import type { GraphiQLOptions } from 'graphql-yoga';
import type { GraphiQLAssets } from './graphiql-assets.ts';
import { type StaticBody, staticBody } from './graphiql-http.ts';

export interface GraphiQLPageOptions {
  title: string;
  /** yoga's GraphiQL options, given to renderYogaGraphiQL as they are (JSON). */
  options: GraphiQLOptions;
  /** Where the page gets the demo users' headers; null: no picker (production). */
  demoUsersUrl: string | null;
}

/**
 * The page at GET /graphql (Accept: text/html): a small page that links GraphiQL's hashed files, where
 * @graphql-yoga/render-graphiql inlines all of them, megabytes, into the page (so a browser fetched them on every
 * visit). The same structure as that package's page: its stylesheet, its bundle defining YogaGraphiQL, a root
 * element; the configuration goes in as JSON for graphiql-script.ts, which sets Monaco's workers and starts GraphiQL.
 */
export function graphiqlPage(assets: GraphiQLAssets, page: GraphiQLPageOptions): Promise<StaticBody> {
  const config = {
    title: page.title,
    options: page.options,
    workers: assets.urls.workers,
    demoUsersUrl: page.demoUsersUrl,
  };
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(page.title)}</title>
    <link rel="icon" href="${assets.urls.favicon}" />
    <link rel="stylesheet" href="${assets.urls.style}" />
    <style>${PAGE_STYLE}</style>
    <script type="application/json" id="dvmm-graphiql-config">${scriptSafeJson(config)}</script>
    <script src="${assets.urls.client}"></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script src="${assets.urls.script}"></script>
  </body>
</html>
`;
  return staticBody('text/html; charset=utf-8', html);
}

// The title and the demo-user picker share GraphiQL's top right corner (its title is rendered there). The title in
// full colour: GraphiQL's faded one is below WCAG's contrast minimum (axe-core).
const PAGE_STYLE = `
.graphiql-logo span:has(> .dvmm-title) { display: inline-flex; align-items: center; gap: var(--px-16, 16px); }
.dvmm-title { color: hsl(var(--color-neutral)); }
.dvmm-picker { display: inline-flex; align-items: center; gap: var(--px-6, 6px); font-size: var(--font-size-body, 15px); }
.dvmm-picker label { color: hsl(var(--color-neutral)); }
.dvmm-picker select { font: inherit; padding: 2px 6px; border-radius: var(--border-radius-4, 4px);
  border: 1px solid hsla(var(--color-neutral), var(--alpha-background-heavy, 0.15));
  background: hsl(var(--color-base)); color: hsl(var(--color-neutral)); }
.dvmm-picker-note { font-size: var(--font-size-hint, 12px); max-width: 28em; }
`;

/** JSON inside <script>: "<" escaped, so no value can end the element or open a comment. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
