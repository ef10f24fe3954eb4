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
): { where: SQL[]; orderBy: SQL[] } =>
  keysetPageOf(createdAt, id, direction, {
    after: args.after ? decodePageCursor(args.after) : null,
    before: args.before ? decodePageCursor(args.before) : null,
    inverted: args.inverted,
  });

/** A page key as values, or as a prepared statement's placeholders for them. */
export interface PageKeyOf {
  createdAt: unknown;
  id: unknown;
}

/** keysetPage for keys already decoded (or placeholders standing for them). */
export const keysetPageOf = (
  createdAt: AnyColumn,
  id: AnyColumn,
  direction: SortDirection,
  page: { after: PageKeyOf | null; before: PageKeyOf | null; inverted: boolean },
): { where: SQL[]; orderBy: SQL[] } => {
  const forward = direction === 'oldest-first';
  const where: SQL[] = [];
  const beyond = (key: PageKeyOf, later: boolean): SQL =>
    later
      ? sql`(${createdAt}, ${id}) > (${key.createdAt}::timestamptz, ${key.id}::uuid)`
      : sql`(${createdAt}, ${id}) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`;
  if (page.after) where.push(beyond(page.after, forward));
  if (page.before) where.push(beyond(page.before, !forward));
  const ascending = forward !== page.inverted;
  const orderBy = ascending ? [sql`${createdAt} asc`, sql`${id} asc`] : [sql`${createdAt} desc`, sql`${id} desc`];
  return { where, orderBy };
};
