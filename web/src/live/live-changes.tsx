import { useSubscription } from 'urql';
import { graphql } from '../gql/index.ts';

export const PortalChanges = graphql(`
  subscription PortalChanges($since: String) {
    vmRequestChanges(since: $since) {
      cursor
      vmRequest {
        ...VmRequestSummary
      }
    }
  }
`);

/**
 * The session's one live feed: every version of every request the user may see. Each lands in the normalized cache
 * (cache.ts), which repaints whatever shows that request; after a dropped socket it resumes after the last cursor
 * (resumable.ts), so nothing is missed. It starts `since` the cursor read before any page queried (live-start.ts), so
 * nothing falls between a page's query and this feed either. Renders nothing.
 */
export function LiveChanges({ since }: { since: string }): null {
  useSubscription({ query: PortalChanges, variables: { since } });
  return null;
}
