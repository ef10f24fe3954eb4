/**
 * The page's own script, run before GraphiQL's bundle (graphiql-page.ts links it in <head>). It starts GraphiQL
 * once the bundle has loaded and adds what yoga's GraphiQL lacks:
 * - Monaco's workers come from the server's hashed files, and Monaco's API is put on window.monaco, where the
 *   headers editor's text is read and written.
 * - The WebSocket's connection_init carries the Authorization header from the headers editor. yoga's GraphiQL sends
 *   headers only with each operation, and the server admits a WebSocket only with a token at connection_init.
 * - A socket the server closes with 4403 ends the subscription at once with an UNAUTHENTICATED error. graphql-ws
 *   retries any close but a few codes it deems fatal (4403 is not one): an empty result pane through all its
 *   retries, then the bare close event. Its close handler, given a value that is not a close event, gives up and
 *   hands that value to the subscriber, which GraphiQL shows. The bundle takes the page's WebSocket class when it
 *   loads (it ignores a webSocketImpl option), so a subclass is put in its place before.
 * - In development, a picker of the demo users ("Sign in as") that writes their Authorization into the Headers tab;
 *   the first visit starts as the first of them, so the first schema fetch already carries a token.
 * - When the Authorization changes, the schema is fetched again: GraphiQL fetches it once, on load, so a token
 *   pasted after a 401 left "Error fetching schema" until a reload.
 * - A new tab starts with the headers of the tab it was opened from (GraphiQL gives it the page's default ones).
 * GraphiQL's own API offers none of these: onEditHeaders, onTabChange and onSchemaChange report, and the headers
 * editor's Monaco model, the re-fetch button and localStorage (keys "graphiql:*") are what there is to act on.
 */
export const GRAPHIQL_CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('dvmm-graphiql-config').textContent);
  var PICKED_USER = 'dvmm:graphiql:demo-user';
  var PICKER_TOKENS = 'dvmm:graphiql:demo-tokens';
  var TAB_STATE = 'graphiql:tabState';

  self.MonacoEnvironment = {
    globalAPI: true,
    getWorkerUrl: function (moduleId, label) { return config.workers[label]; }
  };

  function readJson(text) {
    try { return JSON.parse(text); } catch (e) { return undefined; }
  }
  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
  function authorizationFrom(text) {
    var headers = readJson(text || '{}');
    if (!isObject(headers)) return undefined;
    for (var key in headers) if (key.toLowerCase() === 'authorization') return headers[key];
    return undefined;
  }
  function model(name) {
    var models = (window.monaco && window.monaco.editor && window.monaco.editor.getModels()) || [];
    // GraphiQL prefixes each name with an id of its instance, e.g. /1request-headers.json.
    for (var i = 0; i < models.length; i++) if (models[i].uri.path.slice(-name.length) === name) return models[i];
    return undefined;
  }
  var headersModel = function () { return model('request-headers.json'); };

  // The headers editor as it is now. GraphiQL stores a tab's headers half a second after an edit, so a subscription
  // run at once after pasting them would find none in localStorage: the editor's model first.
  function connectionParams() {
    var current = headersModel();
    var value = authorizationFrom(current && current.getValue());
    if (!value) {
      var state = readJson(localStorage.getItem(TAB_STATE));
      var tab = state && state.tabs && state.tabs[state.activeTabIndex];
      value = authorizationFrom(tab && tab.headers) || authorizationFrom(localStorage.getItem('graphiql:headers'));
    }
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
            'Paste {"Authorization": "Bearer <token>"} into the Headers tab' +
            (users.length ? ' or pick a user in "Sign in as".' : ' (npm start prints one).'),
          extensions: { code: 'UNAUTHENTICATED', closeCode: event.code, closeReason: event.reason }
        });
      };
    }
  }
  window.WebSocket = DvmmWebSocket;

  // --- Demo users (development only: the server offers config.demoUsersUrl nowhere else) ---
  var users = [];
  function loadDemoUsers() {
    if (!config.demoUsersUrl) return Promise.resolve(null);
    return fetch(config.demoUsersUrl, { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok && Array.isArray(body.users)) { users = body.users; return null; }
          return body.error || 'HTTP ' + response.status;
        });
      })
      .catch(function (error) { return String(error); });
  }
  function userById(id) {
    for (var i = 0; i < users.length; i++) if (users[i].id === id) return users[i];
    return undefined;
  }
  function userByAuthorization(value) {
    for (var i = 0; i < users.length; i++) if (value && authorizationFrom(users[i].headers) === value) return users[i];
    return undefined;
  }
  // Tokens are minted per page load. Headers the picker wrote earlier (kept by GraphiQL in every tab) carry older
  // tokens, possibly expired: they are replaced by the same user's fresh one before GraphiQL reads them.
  function renewPickedTokens() {
    var before = readJson(localStorage.getItem(PICKER_TOKENS));
    var now = {};
    users.forEach(function (user) { now[user.id] = authorizationFrom(user.headers); });
    var renew = function (text) {
      if (typeof text !== 'string' || !isObject(before)) return text;
      for (var id in before) if (now[id] && typeof before[id] === 'string' && before[id] !== now[id]) text = text.split(before[id]).join(now[id]);
      return text;
    };
    var state = readJson(localStorage.getItem(TAB_STATE));
    if (state && Array.isArray(state.tabs)) {
      state.tabs.forEach(function (tab) { tab.headers = renew(tab.headers); });
      localStorage.setItem(TAB_STATE, JSON.stringify(state));
    }
    var headers = localStorage.getItem('graphiql:headers');
    if (headers) localStorage.setItem('graphiql:headers', renew(headers));
    localStorage.setItem(PICKER_TOKENS, JSON.stringify(now));
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }
  // GraphiQL renders its title option as HTML in the top right corner: the picker goes there.
  function titleHtml(note) {
    var html = '<span class="dvmm-title">' + escapeHtml(config.title) + '</span>';
    if (users.length) {
      html += '<span class="dvmm-picker"><label for="dvmm-demo-user">Sign in as</label> <select id="dvmm-demo-user">' +
        '<option value="">headers as typed</option>' +
        users.map(function (user) { return '<option value="' + escapeHtml(user.id) + '">' + escapeHtml(user.label) + '</option>'; }).join('') +
        '</select></span>';
    } else if (note) {
      html += '<span class="dvmm-picker-note" role="note">Demo users unavailable: ' + escapeHtml(note) + '</span>';
    }
    return html;
  }
  function picker() {
    return document.getElementById('dvmm-demo-user');
  }
  function showPicked(headersText) {
    var select = picker();
    var user = userByAuthorization(authorizationFrom(headersText));
    if (select) select.value = user ? user.id : '';
  }
  // Sets the user's Authorization in the headers editor, keeping any other header there.
  function pick(id) {
    var user = userById(id);
    var editor = headersModel();
    if (!user || !editor) return;
    localStorage.setItem(PICKED_USER, id);
    var headers = readJson(editor.getValue() || '{}');
    var others = {};
    if (isObject(headers)) for (var key in headers) if (key.toLowerCase() !== 'authorization') others[key] = headers[key];
    var text = Object.keys(others).length
      ? JSON.stringify(Object.assign({ Authorization: authorizationFrom(user.headers) }, others), null, 2)
      : user.headers;
    editor.setValue(text);
  }
  document.addEventListener('change', function (event) {
    if (event.target && event.target.id === 'dvmm-demo-user' && event.target.value) pick(event.target.value);
  });

  // --- Schema fetch on header changes ---
  var fetchedWith;
  var fetchedKnown = false;
  var refetchTimer;
  function onEditHeaders(text) {
    showPicked(text);
    clearTimeout(refetchTimer);
    if (!fetchedKnown) {
      fetchedKnown = true;
      fetchedWith = authorizationFrom(text);
      return;
    }
    // After the edit settles (typing a token is many edits), and only when the Authorization differs.
    refetchTimer = setTimeout(function () {
      var value = authorizationFrom(text);
      if (value === fetchedWith) return;
      fetchedWith = value;
      var button = document.querySelector('.graphiql-sidebar button[aria-label^="Re-fetch GraphQL schema"]');
      if (button) button.click();
    }, 300);
  }
  // GraphiQL puts a failed schema fetch into the result pane and leaves it there after a later fetch succeeds.
  function onSchemaChange() {
    var response = model('response.json');
    var shown = response && readJson(response.getValue());
    var error = shown && !shown.data && shown.errors && shown.errors[0];
    if (error && error.extensions && error.extensions.code === 'UNAUTHENTICATED') response.setValue('');
  }

  // --- New tabs keep the headers ---
  var seenTabs = {};
  var activeTabId;
  var defaultHeaders;
  function onTabChange(state) {
    var active = state.tabs[state.activeTabIndex];
    var isNew = active && !seenTabs[active.id] && state.tabs.length > 1 && state.activeTabIndex === state.tabs.length - 1;
    var from = isNew && (state.tabs.filter(function (tab) { return tab.id === activeTabId; })[0] || state.tabs[state.tabs.length - 2]);
    state.tabs.forEach(function (tab) { seenTabs[tab.id] = true; });
    activeTabId = active && active.id;
    if (!from || !authorizationFrom(from.headers)) return;
    if (authorizationFrom(active.headers) && active.headers !== defaultHeaders) return;
    // GraphiQL is inside its own state update here: the editor is set after it.
    setTimeout(function () {
      var editor = headersModel();
      if (editor && editor.getValue() === (active.headers || '') ) editor.setValue(from.headers);
    }, 0);
  }

  function start(note) {
    var stored = readJson(localStorage.getItem(TAB_STATE));
    if (stored && Array.isArray(stored.tabs)) {
      stored.tabs.forEach(function (tab) { seenTabs[tab.id] = true; });
      activeTabId = stored.tabs[stored.activeTabIndex] && stored.tabs[stored.activeTabIndex].id;
    }
    var first = userById(localStorage.getItem(PICKED_USER)) || users[0];
    defaultHeaders = first ? first.headers : undefined;
    var options = Object.assign({}, config.options, {
      title: titleHtml(note),
      connectionParams: connectionParams,
      onEditHeaders: onEditHeaders,
      onSchemaChange: onSchemaChange,
      onTabChange: onTabChange
    });
    if (defaultHeaders) options.headers = defaultHeaders;
    window.YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
    // What the schema fetch on load sends: the headers editor's text once it exists.
    (function firstHeaders() {
      var editor = headersModel();
      if (!editor) return requestAnimationFrame(firstHeaders);
      if (!fetchedKnown) fetchedWith = authorizationFrom(editor.getValue());
      fetchedKnown = true;
      showPicked(editor.getValue());
    })();
  }

  document.addEventListener('DOMContentLoaded', function () {
    loadDemoUsers().then(function (note) {
      if (users.length) renewPickedTokens();
      start(note);
    });
  });
})();
`;
