import { GlobalWindow } from 'happy-dom';
import { populateGlobal } from 'vitest/runtime';

/**
 * A happy-dom page in a Node test file, for component tests that drive a real server in the same process. The
 * happy-dom environment cannot host the server: it transforms modules as browser code, which turns the server's
 * `new URL('../x', import.meta.url)` file paths into page URLs. Here modules load as for Node, the page's globals
 * (document, window, DOM classes) come from happy-dom as the environment would set them, and fetch, URL, Request and
 * the like stay Node's, which the server needs and the page can use as well.
 *
 * Call it before anything imports React or Testing Library (which look for `document` when loaded):
 * `const page = await vi.hoisted(async () => (await import('../support/page-dom.ts')).installPageDom());`
 */
export function installPageDom(): { teardown(): Promise<void> } {
  const window = new GlobalWindow({ url: 'http://localhost:3000', console: globalThis.console, settings: { disableErrorCapturing: true } });
  const { keys, originals } = populateGlobal(globalThis, window, { bindFunctions: true });
  return {
    async teardown() {
      await window.happyDOM.abort();
      window.close();
      const global = globalThis as Record<string | symbol, unknown>;
      for (const key of keys) delete global[key];
      for (const [key, value] of originals) global[key] = value;
    },
  };
}
