import { createDb, createSql, type DrizzleDb, type Sql, type SqlOptions } from './client.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { runMigrations } from './migrate.ts';

export { createDb, createSql, type DrizzleDb, type Sql, type SqlOptions } from './client.ts';
export { runMigrations } from './migrate.ts';
export { locateEmbeddedDataFolder, startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts';

export type OpenDatabaseOptions = {
  /** The server to use (DATABASE_URL); undefined: the embedded server. */
  databaseUrl: string | undefined;
  /** Data folder of the embedded server (DVMM_DATA_DIR). */
  dataDir: string;
  /** Pool size of the returned client. */
  max?: number;
  /**
   * The embedded server's data folder is in use by a live process (`npm start`): 'fail' (default), or 'connect' to
   * that server (the CLI beside a running server), which close() then leaves running.
   */
  whenInUse?: 'fail' | 'connect';
  log?: (line: string) => void;
};

export type Database = {
  url: string;
  sql: Sql;
  db: DrizzleDb;
  /** True when DVMM started its own Postgres (no DATABASE_URL). */
  embedded: boolean;
  /** Ends the pool and, for an embedded server, stops it. */
  close(): Promise<void>;
};

const EMBEDDED_DATABASE = 'dvmm';

/** Connects (starting the embedded server when no URL is configured) and applies pending migrations. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const log = options.log ?? console.log;
  const configuredUrl = options.databaseUrl;
  const server = configuredUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: options.dataDir,
        log,
        whenInUse: options.whenInUse,
      });

  try {
    const url = configuredUrl ?? (await ensureDatabase(server!.url, EMBEDDED_DATABASE));
    const sql = createSql(url, { max: options.max });
    try {
      const applied = await runMigrations(sql);
      // The embedded server is a local development server: its URL is printed whole, ready for psql.
      const where = server ? `psql ${url}` : describe(url);
      log(`[db] ${applied === 0 ? 'schema up to date' : `${applied} migration(s) applied`} (${where})`);
    } catch (error) {
      await sql.end();
      throw error;
    }
    return {
      url,
      sql,
      db: createDb(sql),
      embedded: server !== undefined,
      async close() {
        await sql.end({ timeout: 5 });
        await server?.stop();
      },
    };
  } catch (error) {
    await server?.stop();
    throw error;
  }
}

/** Creates `name` on the server when missing and returns its URL. */
async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = createSql(serverUrl, { max: 1 });
  try {
    const [row] = await admin<{ n: number }[]>`select count(*)::int as n from pg_database where datname = ${name}`;
    if (row?.n === 0) await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The URL without its password, for logs. */
function describe(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}
