// Runs after `npm install` / `npm ci` (package.json "postinstall"): fixes the connection queues of postgres.js 3.4.9.
//
// postgres.js keeps each pool's connections in queues (open, busy, full, ...). `shift()` leaves a hole at the
// front of the queue's array and only resets the array once the queue is empty, while `remove()` searches the array
// from its start, holes included. Under sustained load the pool never runs dry, so the busy queue is never empty:
// its array grows by one hole per query sent to an already busy connection, and every query's `remove()` scans
// them all. Measured (32 concurrent createVmRequest commands on a pool of 20): CPU per command 125 -> 172 us over
// 30 seconds and rising, throughput falling with it; with this fix a steady 113-117 us.
//
// The fix: `remove()` searches from the first live entry, and `shift()` drops the holes once they are at least
// half the array (and at least 1,024). Entries keep their order. Both checked by test/unit/postgres-queue.test.ts.
// postgres.js 4 replaced these queues; this patch is for 3.4.9 only and refuses to touch anything else.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../../node_modules/postgres/', import.meta.url);
const MARK = '/* dvmm: bounded queue, see src/db/patch-postgres-queue.mjs */';
const FILES = ['src/queue.js', 'cjs/src/queue.js', 'cf/src/queue.js'];
const EXPECTED_VERSION = '3.4.9';

const OLD_REMOVE = `    remove: (x) => {
      const index = xs.indexOf(x)
      return index === -1
        ? null
        : (xs.splice(index, 1), x)
    },`;
const NEW_REMOVE = `    remove: (x) => {
      const at = xs.indexOf(x, index)
      return at === -1
        ? null
        : (xs.splice(at, 1), x)
    },`;
const OLD_SHIFT = `      } else {
        xs[index - 1] = undefined
      }`;
const NEW_SHIFT = `      } else {
        xs[index - 1] = undefined
        if (index >= 1024 && index * 2 >= xs.length) {
          xs = xs.slice(index)
          index = 0
        }
      }`;

if (!existsSync(new URL('package.json', root))) {
  console.log('[patch-postgres-queue] postgres is not installed here; nothing to patch');
  process.exit(0);
}
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
if (version !== EXPECTED_VERSION) {
  console.error(`[patch-postgres-queue] postgres ${version} is installed, the patch is for ${EXPECTED_VERSION}: review it`);
  process.exit(1);
}
for (const file of FILES) {
  const url = new URL(file, root);
  if (!existsSync(url)) continue;
  const text = readFileSync(url, 'utf8');
  if (text.includes(MARK)) continue;
  if (!text.includes(OLD_REMOVE) || !text.includes(OLD_SHIFT)) {
    console.error(`[patch-postgres-queue] ${file} is not the expected postgres ${EXPECTED_VERSION} source: not patched`);
    process.exit(1);
  }
  writeFileSync(url, `${MARK}\n${text.replace(OLD_REMOVE, NEW_REMOVE).replace(OLD_SHIFT, NEW_SHIFT)}`);
}
console.log(`[patch-postgres-queue] postgres ${version}: connection queues patched`);
