import type postgres from 'postgres';
import type { Sql } from '../event-store/types.ts';
import { tableName } from './table-sql.ts';
import type { Projection } from './types.ts';

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The schema a projection's tables are rebuilt in: same table names, so its handler writes them unchanged. */
export function shadowSchema(projection: Projection): string {
  return `dvmm_rebuild_${projection.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

interface LiveTable {
  name: string;
  schema: string;
}

/** Where each of the projection's tables lives now (resolved through the search_path, as the handler's SQL is). */
export async function liveTables(sql: Sql, projection: Projection): Promise<LiveTable[]> {
  const tables: LiveTable[] = [];
  for (const table of projection.tables) {
    const name = tableName(table);
    const [row] = await sql<{ schema: string | null }[]>`
      select n.nspname as schema from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass(${quote(name)})`;
    if (!row?.schema) throw new Error(`table ${name} of projection ${projection.name} does not exist (migrations applied?)`);
    tables.push({ name, schema: row.schema });
  }
  return tables;
}

interface IndexDefinition {
  table: string;
  index: string;
  /** Set when the index backs a PRIMARY KEY / UNIQUE / EXCLUDE constraint. */
  constraint: string | null;
  constraint_def: string | null;
  index_def: string;
  is_unique: boolean;
}

async function indexDefinitions(sql: Sql, table: LiveTable): Promise<IndexDefinition[]> {
  return sql<IndexDefinition[]>`
    select ${table.name} as table, ic.relname as index, con.conname as constraint,
           pg_get_constraintdef(con.oid) as constraint_def, pg_get_indexdef(i.indexrelid) as index_def,
           i.indisunique as is_unique
    from pg_index i
    join pg_class ic on ic.oid = i.indexrelid
    left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
    where i.indrelid = ${`${quote(table.schema)}.${quote(table.name)}`}::regclass
    order by con.conname is null, ic.relname`;
}

export interface Shadow {
  schema: string;
  tables: LiveTable[];
  /** Plain indexes, created after the bulk load (cheaper than maintaining them row by row). */
  deferredIndexes: string[];
}

/**
 * Empty copies of the projection's tables in the shadow schema: columns, defaults, checks and keys, with the
 * original index and constraint names (names are per schema), so after the swap the tables look exactly as the
 * migrations made them and later migrations still find their indexes by name.
 */
export async function createShadow(sql: Sql, projection: Projection): Promise<Shadow> {
  const schema = shadowSchema(projection);
  const tables = await liveTables(sql, projection);
  await sql.unsafe(`drop schema if exists ${quote(schema)} cascade`);
  await sql.unsafe(`create schema ${quote(schema)}`);
  const deferredIndexes: string[] = [];
  for (const table of tables) {
    const live = `${quote(table.schema)}.${quote(table.name)}`;
    const shadow = `${quote(schema)}.${quote(table.name)}`;
    await sql.unsafe(`create table ${shadow} (like ${live} including all excluding indexes)`);
    for (const index of await indexDefinitions(sql, table)) {
      if (index.constraint && index.constraint_def) {
        await sql.unsafe(`alter table ${shadow} add constraint ${quote(index.constraint)} ${index.constraint_def}`);
        continue;
      }
      const using = index.index_def.indexOf(' USING ');
      if (using < 0) throw new Error(`cannot copy index ${index.index}: ${index.index_def}`);
      deferredIndexes.push(
        `create ${index.is_unique ? 'unique ' : ''}index ${quote(index.index)} on ${shadow}${index.index_def.slice(using)}`,
      );
    }
  }
  return { schema, tables, deferredIndexes };
}

export async function createDeferredIndexes(sql: Sql, shadow: Shadow): Promise<void> {
  for (const statement of shadow.deferredIndexes) await sql.unsafe(statement);
  shadow.deferredIndexes = [];
}

/** Points unqualified table names in this transaction at the shadow tables first. */
export async function useShadow(tx: postgres.TransactionSql, shadow: Shadow): Promise<void> {
  await tx`select set_config('search_path', ${quote(shadow.schema)} || ', ' || current_setting('search_path'), true)`;
}

/** Inside the caller's transaction: drops the live tables and moves the shadow ones into their place. */
export async function swapShadow(tx: postgres.TransactionSql, shadow: Shadow): Promise<void> {
  const live = shadow.tables.map((t) => `${quote(t.schema)}.${quote(t.name)}`);
  // All at once, so the projection's tables change together for every reader.
  await tx.unsafe(`lock table ${live.join(', ')} in access exclusive mode`);
  for (const table of shadow.tables) {
    await tx.unsafe(`drop table ${quote(table.schema)}.${quote(table.name)}`);
    await tx.unsafe(`alter table ${quote(shadow.schema)}.${quote(table.name)} set schema ${quote(table.schema)}`);
  }
  await tx.unsafe(`drop schema ${quote(shadow.schema)}`);
}

export async function dropShadow(sql: Sql, shadow: Pick<Shadow, 'schema'>): Promise<void> {
  await sql.unsafe(`drop schema if exists ${quote(shadow.schema)} cascade`);
}
