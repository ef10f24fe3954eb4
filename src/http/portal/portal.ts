import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendStatic } from '../graphiql-http.ts';
import { json } from '../ops-routes.ts';
import { loadPortalFiles, type PortalFiles } from './files.ts';

export interface Portal {
  /** GET/HEAD of any path the API does not own: a file of the build, else index.html for a page of the app. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

// Vite names what it emits under assets/ by content hash, so those are cached for good; index.html (and anything
// else unhashed) is revalidated with its ETag, so a new build shows on the next visit.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * The portal's single-page app from its build folder, read and compressed once. A path that is not a file and that a
 * browser navigates to (Accept: text/html) gets index.html, and the app's router shows the page: deep links and
 * reloads work. Without a build every such request answers 404 with how to make one.
 */
export function createPortal(dir: string, onMissing: (message: string) => void): Portal {
  let loading: Promise<PortalFiles | null> | undefined;
  const files = () =>
    (loading ??= loadPortalFiles(dir).then((loaded) => {
      if (!loaded) onMissing(`no portal build in ${dir}: \`npm run build\` makes one (\`npm start\` does it by itself)`);
      return loaded;
    }));
  files().catch(() => {});
  return {
    async serve(req, res, path) {
      const loaded = await files();
      if (!loaded) return json(res, 404, { error: 'Not found: the portal is not built (npm run build)' });
      const file = loaded.get(path);
      if (file) return sendStatic(req, res, file, path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
      const index = loaded.get('/index.html');
      if (index && wantsPage(req) && !path.startsWith('/assets/')) return sendStatic(req, res, index, REVALIDATE, ['Accept']);
      return json(res, 404, { error: 'Not found' });
    },
  };
}

function wantsPage(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('text/html');
}
