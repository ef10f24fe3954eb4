import { useQuery } from 'urql';
import { ApprovalsAccessQuery } from '../graphql/approvals-access.ts';
import { isTenantAdmin, useSession } from './session.ts';

/**
 * Who the approvals page is for: tenant admins decide (known from the token, no query); project admins watch the
 * queue of their projects (asked of the server once, then from the cache); anyone else has no queue. 'checking'
 * while the answer is on its way.
 */
export type ApprovalsAccess = 'decide' | 'watch' | 'none' | 'checking';

export function useApprovalsAccess(): ApprovalsAccess {
  const session = useSession();
  const tenantAdmin = isTenantAdmin(session);
  const [{ data, error }] = useQuery({ query: ApprovalsAccessQuery, pause: tenantAdmin || !session });
  if (tenantAdmin) return 'decide';
  if (data) return data.viewer.adminOfProjects.length > 0 ? 'watch' : 'none';
  return error ? 'none' : 'checking';
}
