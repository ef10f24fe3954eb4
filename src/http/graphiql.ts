import { type GraphiQLOptions, renderGraphiQL } from 'graphql-yoga';

/** An example to start from, with the headers to paste printed by `npm start` and `npm run token`. */
const DEFAULT_QUERY = `# Paste {"Authorization": "Bearer <token>"} into the Headers tab below (npm start prints one).
query Me {
  viewer { id tenantId roles }
  vmRequests(first: 10) {
    edges { node { id vmName size status project { name } } }
  }
}
`;

/**
 * GraphiQL as yoga renders it, with subscriptions over WebSocket, plus one thing: the WebSocket's
 * connection_init carries the Authorization header from GraphiQL's headers tab. yoga's GraphiQL sends those headers
 * only with each operation, and the server admits a WebSocket only with a token at connection_init (api.md), so
 * without this GraphiQL could run queries but never a subscription.
 */
export function graphiqlOptions(): GraphiQLOptions {
  return {
    title: 'DVMM GraphiQL',
    subscriptionsProtocol: 'WS',
    defaultQuery: DEFAULT_QUERY,
  };
}

// GraphiQL keeps the headers of each tab in localStorage; the active tab's win, the global editor's come second.
const CONNECTION_PARAMS_SCRIPT = `<script>
(function () {
  function authorizationFrom(text) {
    try {
      var headers = JSON.parse(text || '{}');
      for (var key in headers) if (key.toLowerCase() === 'authorization') return headers[key];
    } catch (e) {}
    return undefined;
  }
  function connectionParams() {
    var value;
    try {
      var state = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
      var tab = state && state.tabs && state.tabs[state.activeTabIndex];
      value = authorizationFrom(tab && tab.headers) || authorizationFrom(localStorage.getItem('graphiql:headers'));
    } catch (e) {}
    return value ? { authorization: value } : {};
  }
  var original = window.YogaGraphiQL && window.YogaGraphiQL.renderYogaGraphiQL;
  if (!original) return;
  window.YogaGraphiQL = Object.assign({}, window.YogaGraphiQL, {
    renderYogaGraphiQL: function (root, options) {
      return original(root, Object.assign({}, options, { connectionParams: connectionParams }));
    }
  });
})();
</script>`;

// The page loads yoga's GraphiQL bundle, then one inline script renders it; ours goes between the two.
const RENDER_CALL = '<script>prepareWorkers()';

export function renderDvmmGraphiQL(options: GraphiQLOptions): string {
  const html = renderGraphiQL(options);
  const at = html.indexOf(RENDER_CALL);
  // A yoga release with a different page: serve it unchanged (queries still work; WS auth would need a look).
  if (at < 0) return html;
  return html.slice(0, at) + CONNECTION_PARAMS_SCRIPT + html.slice(at);
}
