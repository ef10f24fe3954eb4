import { GRAPHIQL_CLIENT_SCRIPT } from './graphiql-script.ts';
import { type StaticBody, staticBody } from './graphiql-http.ts';

/** Where GraphiQL's files are served: /graphiql/<name>.<hash>.<ext>, so each path names one content forever. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

export interface GraphiQLAssets {
  /** By path (e.g. /graphiql/graphiql.1a2b3c4d5e6f7a8b.js). */
  byPath: ReadonlyMap<string, StaticBody>;
  /** The paths the page links to. */
  urls: {
    script: string;
    style: string;
    favicon: string;
    client: string;
    /** Monaco's workers by the label it asks for (see getWorkerUrl in graphiql-script.ts). */
    workers: { editorWorkerService: string; json: string; graphql: string };
  };
}

const JS = 'text/javascript; charset=utf-8';

let building: Promise<GraphiQLAssets> | undefined;

/**
 * GraphiQL's files, split out of @graphql-yoga/render-graphiql's one page of several megabytes (of the same release
 * as graphql-yoga, so GraphiQL needs no CDN) and compressed, built once per process: each server of the process
 * shares them. The package's module is imported here, on first use, not when the server module loads.
 */
export function graphiqlAssets(): Promise<GraphiQLAssets> {
  building ??= build().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function build(): Promise<GraphiQLAssets> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const icon = dataUrl(bundle.favicon);
  const parts = {
    script: ['graphiql', 'js', JS, bundle.js],
    style: ['graphiql', 'css', 'text/css; charset=utf-8', bundle.css],
    favicon: ['favicon', icon.extension, icon.contentType, icon.bytes],
    client: ['dvmm-graphiql', 'js', JS, GRAPHIQL_CLIENT_SCRIPT],
    editorWorkerService: ['editor.worker', 'js', JS, bundle.editorWorkerService],
    json: ['json.worker', 'js', JS, bundle.jsonWorker],
    graphql: ['graphql.worker', 'js', JS, bundle.graphqlWorker],
  } as const;
  const byPath = new Map<string, StaticBody>();
  const url: Record<string, string> = {};
  await Promise.all(
    Object.entries(parts).map(async ([key, [name, extension, contentType, content]]) => {
      const body = await staticBody(contentType, content);
      const path = `${GRAPHIQL_ASSET_PREFIX}${name}.${body.hash.slice(0, 16)}.${extension}`;
      byPath.set(path, body);
      url[key] = path;
    }),
  );
  const at = (key: keyof typeof parts) => url[key] as string;
  return {
    byPath,
    urls: {
      script: at('script'),
      style: at('style'),
      favicon: at('favicon'),
      client: at('client'),
      workers: { editorWorkerService: at('editorWorkerService'), json: at('json'), graphql: at('graphql') },
    },
  };
}

/** The favicon ships as a base64 data URL; served as a file it is cached instead of resent inside every page. */
function dataUrl(url: string): { contentType: string; extension: string; bytes: Buffer } {
  const match = /^data:([\w.+/-]+);base64,(.*)$/s.exec(url);
  if (!match) throw new Error(`GraphiQL's favicon is not a base64 data URL: ${url.slice(0, 40)}`);
  const contentType = match[1] as string;
  return { contentType, extension: contentType === 'image/x-icon' ? 'ico' : (contentType.split('/')[1] ?? 'bin'), bytes: Buffer.from(match[2] as string, 'base64') };
}
