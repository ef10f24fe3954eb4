import type { ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import { decodePageCursor } from './page-cursor.ts';

export type SortDirection = 'newest-first' | 'oldest-first';

/**
 * The WHERE and ORDER BY of one keyset page over (created_at, id), for the relay helper's arguments: `after` moves
 * along the list's own direction, `before` against it, and an inverted page (last/before) reads backwards and is
 * reversed by the helper. Only the index is walked; no OFFSET.
 */
export const keysetPage = (
  createdAt: AnyColumn,
  id: AnyColumn,
  direction: SortDirection,
  args: ResolveCursorConnectionArgs,
): { where: SQL[]; orderBy: SQL[] } => {
  const forward = direction === 'oldest-first';
  const where: SQL[] = [];
  const beyond = (cursor: string, later: boolean): SQL => {
    const key = decodePageCursor(cursor);
    return later
      ? sql`(${createdAt}, ${id}) > (${key.createdAt}::timestamptz, ${key.id}::uuid)`
      : sql`(${createdAt}, ${id}) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`;
  };
  if (args.after) where.push(beyond(args.after, forward));
  if (args.before) where.push(beyond(args.before, !forward));
  const ascending = forward !== args.inverted;
  const orderBy = ascending ? [sql`${createdAt} asc`, sql`${id} asc`] : [sql`${createdAt} desc`, sql`${id} desc`];
  return { where, orderBy };
};
