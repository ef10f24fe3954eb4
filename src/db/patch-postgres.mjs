// Runs after `npm install` / `npm ci` (package.json "postinstall"): fixes six defects of postgres.js 3.4.9.
// 3.4.10 fixes none of them. 4.x rewrote the connection and the pool (none of the three code paths is left), but it
// changes how parameters are typed and how transactions are checked, and drizzle-orm 0.45's types do not accept its
// client: moving to it is an upgrade of its own. So this is for 3.4.9 only, and refuses to touch any other version
// or any source it does not recognise. 2 to 6 surfaced in the restart drill (test/e2e/restart-drill.test.ts).
//
// 1. Connection queues (src/queue.js). `shift()` leaves a hole at the front of the queue's array and only resets the
//    array once the queue is empty, while `remove()` searches the array from its start, holes included. Under
//    sustained load the pool never runs dry, so the busy queue is never empty: its array grows by one hole per query
//    sent to an already busy connection, and every query's `remove()` scans them all. Measured (32 concurrent
//    createVmRequest commands on a pool of 20): CPU per command 125 -> 172 us over 30 seconds and rising; with this
//    fix a steady 113-117 us. Fix: `remove()` searches from the first live entry, and `shift()` drops the holes once
//    they are at least half the array (and at least 1,024). Checked by test/unit/postgres-queue.test.ts.
//
// 2. A poisoned connection (src/connection.js). A write under 1 KiB is flushed by a setImmediate; `nextWrite()` is
//    the only place that clears the timer handle and the buffered bytes. The teardowns (`terminate()`, `closed()`)
//    cancel the immediate but leave both set, so after a socket closed with a flush pending, the connection never
//    schedules a flush again: its next startup message is never sent and every query on it ends in
//    "write CONNECT_TIMEOUT" (and the stale bytes would precede the next startup message). Likewise the server's
//    last error: a query whose backend was terminated (a restart's "terminating connection due to administrator
//    command") fails with CONNECTION_CLOSED, but the error stays recorded, and the connection's next startup
//    fails the next query with it, against a server that is back. Fix: the teardowns clear all three.
//
// 3. An uncatchable crash (src/connection.js, src/index.js). A query on a connection whose socket is gone (a reserved
//    connection after its backend ended) schedules a flush that calls `socket.write` on null: a TypeError thrown
//    from a setImmediate, which ends the process. Fix: with no socket, `nextWrite()` drops the bytes and fails the
//    connection's queries with CONNECTION_CLOSED, as a closed socket does; it answers "not full", so the reserved
//    connection's later queries are failed the same way instead of queued behind a write that never ends. And
//    releasing such a connection leaves it with the closed ones, to reconnect on its next query, where it went
//    back among the open ones and failed every query the pool gave it.
//
// 5. A hang (src/index.js). A reserved connection with its pipeline full keeps further queries in a queue of its
//    own until the server answers; when the connection closes instead, they were never settled, and whoever
//    awaited them (a projector batch, then the projector) waited forever. Fix: closing fails them.
//
// 6. Another hang (src/connection.js). When a socket fails (ECONNRESET), its 'error' fails the queries sent so far;
//    a query sent after that and before the socket's 'close' (say, the next statement of a transaction, sent from
//    the first one's rejection) was left pending, since `closed()` fails what is pending only after a clean close.
//    A projector batch then waited on it forever. Fix: `closed()` fails what is pending either way.
//
// 4. Another crash (src/connection.js). A new connection first reads the server's array types, from an async
//    function whose promise nobody holds. When the connection fails meanwhile (the server stopping right after
//    accepting it, then refusing the reconnect), that read is rejected along with the waiting query: an unhandled
//    rejection, which ends the process. Fix: that promise's rejection is handled (the waiting query has the error).
//
// 2 to 6 are checked by test/integration/postgres-connection.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../../node_modules/postgres/', import.meta.url);
const EXPECTED_VERSION = '3.4.9';
const COPIES = ['src', 'cjs/src', 'cf/src'];

const PATCHES = [
  {
    file: 'queue.js',
    // Recognised by its start: copies patched before the connection fixes carry an older file name.
    mark: '/* dvmm: bounded queue, see src/db/patch-postgres.mjs */',
    edits: [
      {
        from: `    remove: (x) => {
      const index = xs.indexOf(x)
      return index === -1
        ? null
        : (xs.splice(index, 1), x)
    },`,
        to: `    remove: (x) => {
      const at = xs.indexOf(x, index)
      return at === -1
        ? null
        : (xs.splice(at, 1), x)
    },`,
        count: 1,
      },
      {
        from: `      } else {
        xs[index - 1] = undefined
      }`,
        to: `      } else {
        xs[index - 1] = undefined
        if (index >= 1024 && index * 2 >= xs.length) {
          xs = xs.slice(index)
          index = 0
        }
      }`,
        count: 1,
      },
    ],
  },
  {
    file: 'connection.js',
    mark: '/* dvmm: lost sockets leave no state, no pending query and throw nothing, see src/db/patch-postgres.mjs */',
    edits: [
      {
        // terminate() and closed()
        from: `    clearImmediate(nextWriteTimer)
`,
        to: `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    errorResponse = null
`,
        count: 2,
      },
      {
        from: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
        to: `  function nextWrite(fn) {
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return true
    }
    const x = socket.write(chunk, fn)`,
        count: 1,
      },
      {
        // closed(): also when the socket ended with an error (see 6)
        from: `    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))
`,
        to: `    if (query || sent.length) error(Errors.connection('CONNECTION_CLOSED', options, socket))
`,
        count: 1,
      },
      {
        from: `        return fetchArrayTypes()
`,
        to: `        return fetchArrayTypes().catch(() => { /* its error has gone to the connection's queries */ })
`,
        count: 1,
      },
    ],
  },
  {
    file: 'index.js',
    mark: '/* dvmm: a reserved connection that lost its socket fails its queries and reconnects, see src/db/patch-postgres.mjs */',
    edits: [
      {
        from: `    sql.release = () => {
      c.reserved = null
      onopen(c)
    }`,
        to: `    sql.release = () => {
      c.reserved = null
      c.queue === closed
        ? queries.length && connect(c, queries.shift())
        : onopen(c)
    }`,
        count: 1,
      },
      {
        from: `    move(c, reserved)
    c.reserved = () => queue.length
      ? c.execute(queue.shift())
      : move(c, reserved)
    c.reserved.release = true
`,
        to: `    move(c, reserved)
    c.reserved = () => queue.length
      ? c.execute(queue.shift())
      : move(c, reserved)
    c.reserved.release = true
    c.reserved.fail = e => { while (queue.length) queue.shift().reject(e) }
`,
        count: 1,
      },
      {
        from: `  function onclose(c, e) {
    move(c, closed)
    c.reserved = null
`,
        to: `  function onclose(c, e) {
    move(c, closed)
    c.reserved && c.reserved.fail && c.reserved.fail(e)
    c.reserved = null
`,
        count: 1,
      },
    ],
  },
];

const fail = (message) => {
  console.error(`[patch-postgres] ${message}`);
  process.exit(1);
};

if (!existsSync(new URL('package.json', root))) {
  console.log('[patch-postgres] postgres is not installed here; nothing to patch');
  process.exit(0);
}
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
if (version !== EXPECTED_VERSION) fail(`postgres ${version} is installed, the patch is for ${EXPECTED_VERSION}: review it`);

for (const copy of COPIES) {
  for (const { file, mark, edits } of PATCHES) {
    const url = new URL(`${copy}/${file}`, root);
    if (!existsSync(url)) continue;
    let text = readFileSync(url, 'utf8');
    if (text.includes(mark.slice(0, mark.indexOf(',')))) continue;
    if (text.startsWith('/* dvmm:')) fail(`${copy}/${file} carries an older version of this patch: reinstall postgres (rm -rf node_modules/postgres && npm install)`);
    for (const { from, to, count } of edits) {
      const found = text.split(from).length - 1;
      if (found !== count) fail(`${copy}/${file} is not the expected postgres ${EXPECTED_VERSION} source: not patched`);
      text = text.replaceAll(from, to);
    }
    writeFileSync(url, `${mark}\n${text}`);
  }
}
console.log(`[patch-postgres] postgres ${version}: connection queues and socket teardown patched`);
