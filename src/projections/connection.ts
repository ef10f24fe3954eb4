import postgres from 'postgres';

export interface DedicatedOptions {
  applicationName: string;
  onclose?: () => void;
  onnotify?: (channel: string, payload: string) => void;
}

/**
 * A single long-lived connection to the same server as `sql`, outside its pool: for session state that must stay on
 * one backend (advisory locks, LISTEN) and whose loss must be noticed (`onclose`). It reconnects lazily on the next
 * query. postgres.js builds its own LISTEN client the same way, from the pool's parsed options. It fetches the
 * server's array types on connect, like the pool, so array parameters serialise the same on both.
 */
export function dedicatedConnection(sql: postgres.Sql, options: DedicatedOptions): postgres.Sql {
  const base = sql.options as unknown as Record<string, unknown> & { connection?: Record<string, unknown> };
  return postgres({
    ...base,
    max: 1,
    idle_timeout: null,
    max_lifetime: null,
    onnotice: () => {},
    connection: { ...base.connection, application_name: options.applicationName },
    onclose: options.onclose,
    onnotify: options.onnotify,
  } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
}

/**
 * The projector's own small pool for batch transactions. Its sessions default to read-only
 * (`default_transaction_read_only`), and applyBatch opens every transaction READ WRITE: the whole transaction goes
 * out in one round trip, COMMIT included, so a statement that ends up behind the COMMIT (postgres.js re-sends a
 * prepared statement that failed for a stale plan at the end of the pipeline) would run on its own. Here it can
 * write nothing. Being its own pool, batches also never queue behind other work on the shared one.
 */
export function batchPool(sql: postgres.Sql, options: { applicationName: string; max: number }): postgres.Sql {
  const base = sql.options as unknown as Record<string, unknown> & { connection?: Record<string, unknown> };
  return postgres({
    ...base,
    max: options.max,
    onnotice: () => {},
    connection: { ...base.connection, application_name: options.applicationName, default_transaction_read_only: 'on' },
  } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
}

/** `promise`, or a rejection (code ETIMEDOUT) once `ms` have passed without it settling. */
export async function withTimeout<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
