import type { GraphiQLOptions } from 'graphql-yoga';

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
 * GraphiQL as yoga renders it, with subscriptions over WebSocket, plus two things: the WebSocket's connection_init
 * carries the Authorization header from GraphiQL's headers tab, and a socket the server closes with 4403 ends the
 * subscription at once with an UNAUTHENTICATED error. yoga's GraphiQL sends those headers only with each operation,
 * and the server admits a WebSocket only with a token at connection_init (api.md), so without the first GraphiQL
 * could run queries but never a subscription; without the second its graphql-ws client retries a 4403 five times
 * (about 40 s of an empty result pane) and then shows the bare close event.
 */
export function graphiqlOptions(): GraphiQLOptions {
  return {
    title: 'DVMM GraphiQL',
    subscriptionsProtocol: 'WS',
    defaultQuery: DEFAULT_QUERY,
  };
}

// The headers come from the headers editor as it is now (Monaco's model), else from what GraphiQL keeps in
// localStorage: the active tab's, then the global editor's.
// graphql-ws retries any close but a few codes it deems fatal, and 4403 is not one of them; a close handler given
// a value that is not a close event makes it give up and hand that value to the subscriber, which GraphiQL shows.
// The bundle takes the page's WebSocket class when it loads (it ignores a webSocketImpl option), so this script,
// which runs first, puts a subclass in its place; only a close with 4403 behaves differently.
const GRAPHIQL_WS_SCRIPT = `<script>
(function () {
  function authorizationFrom(text) {
    try {
      var headers = JSON.parse(text || '{}');
      for (var key in headers) if (key.toLowerCase() === 'authorization') return headers[key];
    } catch (e) {}
    return undefined;
  }
  // The headers editor's text as it is now. GraphiQL persists a tab's headers half a second after each edit, so
  // a subscription run at once after pasting them would find none in localStorage: the editor's own model first.
  function editedHeaders() {
    var models = (window.monaco && window.monaco.editor && window.monaco.editor.getModels()) || [];
    for (var i = 0; i < models.length; i++) {
      if (/request-headers\.json$/.test(models[i].uri.path)) return models[i].getValue();
    }
    return undefined;
  }
  function connectionParams() {
    var value = authorizationFrom(editedHeaders());
    if (value) return { authorization: value };
    try {
      var state = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
      var tab = state && state.tabs && state.tabs[state.activeTabIndex];
      value = authorizationFrom(tab && tab.headers) || authorizationFrom(localStorage.getItem('graphiql:headers'));
    } catch (e) {}
    return value ? { authorization: value } : {};
  }
  class DvmmWebSocket extends WebSocket {
    get onclose() {
      return super.onclose;
    }
    set onclose(handler) {
      super.onclose = typeof handler !== 'function' ? handler : function (event) {
        if (event.code !== 4403) return handler.call(this, event);
        return handler.call(this, {
          message: 'The server closed the WebSocket with 4403 ' + event.reason + ': no valid token at connection_init. ' +
            'Paste {"Authorization": "Bearer <token>"} into the Headers tab (npm start prints one).',
          extensions: { code: 'UNAUTHENTICATED', closeCode: event.code, closeReason: event.reason }
        });
      };
    }
  }
  window.WebSocket = DvmmWebSocket;
  // Makes the bundle's Monaco put its API on window.monaco, where editedHeaders() reads the headers editor: the
  // bundle sets MonacoEnvironment (its worker URLs, globalAPI false) just before Monaco reads it.
  var monacoEnvironment;
  Object.defineProperty(window, 'MonacoEnvironment', {
    configurable: true,
    get: function () { return monacoEnvironment; },
    set: function (value) { monacoEnvironment = value && Object.assign(value, { globalAPI: true }); }
  });
  window.dvmmRenderGraphiQL = function (root, options) {
    return window.YogaGraphiQL.renderYogaGraphiQL(root, Object.assign({}, options, { connectionParams: connectionParams }));
  };
})();
</script>`;

// yoga's own page loads GraphiQL from a public CDN, so without internet access it never gets past "Loading", and
// every visitor's browser asks a third party. @graphql-yoga/render-graphiql, of the same release as graphql-yoga,
// inlines that bundle into the page: the server alone serves GraphiQL. Imported on first use (9 MB of JavaScript).
let render: Promise<(options: GraphiQLOptions) => string> | undefined;

// The page's one inline script defines YogaGraphiQL and then calls this; ours wraps the call.
const RENDER_CALL = 'YogaGraphiQL.renderYogaGraphiQL(';

export async function renderDvmmGraphiQL(options: GraphiQLOptions): Promise<string> {
  render ??= import('@graphql-yoga/render-graphiql').then((module) => module.renderGraphiQL);
  const html = (await render)(options);
  const call = html.lastIndexOf(RENDER_CALL);
  const head = html.indexOf('</head>');
  // A release with a different page: serve it unchanged (queries still work; WS auth would need a look).
  if (call < 0 || head < 0 || head > call) return html;
  return html.slice(0, head) + GRAPHIQL_WS_SCRIPT + html.slice(head, call) + 'dvmmRenderGraphiQL(' + html.slice(call + RENDER_CALL.length);
}
