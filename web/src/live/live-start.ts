import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { signOut } from '../auth/session.ts';
import { graphql } from '../gql/index.ts';

const LiveCursorQuery = graphql(`
  query LiveCursor {
    liveCursor
  }
`);

/**
 * Where the live feed stands, read before the page's own queries: a subscription started `since` it gets every change
 * those queries might have missed (one they already show may come again; the newest version wins, see
 * newest-versions.ts). Null until read. A failed read is tried again with growing pauses; a refused token ends the
 * session (the sign-in page follows).
 */
export function useLiveStart(): string | null {
  const client = useClient();
  const [cursor, setCursor] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async (attempt: number): Promise<void> => {
      const result = await client.query(LiveCursorQuery, {}, { requestPolicy: 'network-only' }).toPromise();
      if (stopped) return;
      if (result.data?.liveCursor) return setCursor(result.data.liveCursor);
      if (result.error?.graphQLErrors.some((error) => error.extensions?.['code'] === 'UNAUTHENTICATED')) return signOut();
      timer = setTimeout(() => void read(attempt + 1), Math.min(250 * 2 ** attempt, 5_000));
    };
    void read(0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client]);
  return cursor;
}
