import { GraphQLError } from 'graphql';

/**
 * A connection cursor: the row's sort key (creation time in UTC with Postgres' full microsecond precision, and
 * the id as tie-breaker), opaque to clients. Keyset pagination compares against it directly, so pages stay stable
 * while rows are added.
 */
export interface PageKey {
  createdAt: string;
  id: string;
}

/** UTC with microseconds, as `sortKeyOf` in SQL prints it: 2026-01-31T12:00:00.123456Z */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodePageCursor = (key: PageKey): string =>
  Buffer.from(JSON.stringify([key.createdAt, key.id]), 'utf8').toString('base64url');

/** The key a cursor stands for; a GraphQL error (nothing is read) for anything this code did not make. */
export const decodePageCursor = (cursor: string): PageKey => {
  const bad = () => new GraphQLError('Invalid cursor', { extensions: { code: 'BAD_USER_INPUT' } });
  if (cursor.length > 200) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw bad();
  if (!TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) throw bad();
  return { createdAt, id };
};
