import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useParams } from 'wouter';
import { isTenantAdmin, useSession } from '../auth/session.ts';
import { PowerBadge } from '../components/power-badge.tsx';
import { localDateTime, TimeAgo } from '../components/time-ago.tsx';
import { ArchiveProject, PROJECT_REQUESTS_PAGE, ProjectPageQuery, UnarchiveProject } from '../graphql/projects.ts';
import { useLiveStart } from '../live/live-start.ts';
import { ProjectMembers } from './projects/members.tsx';
import { ProjectQuota, useProjectUsageFeed } from './projects/project-quota.tsx';
import { ProjectUsageFigures } from './projects/project-usage.tsx';

/**
 * One project: details, usage against its quota, members and its requests. The requests follow the session's live
 * feed (statuses in place, new ones on top); the usage and quota follow the project's own feed, which brings them with
 * each change of its requests (projects/project-quota.tsx).
 */
export function ProjectPage() {
  const { id = '' } = useParams<{ id: string }>();
  const session = useSession();
  // The project's feed starts where the live feed stood before the page was read, so no change falls in between.
  const since = useLiveStart();
  useProjectUsageFeed(id, since, isTenantAdmin(session));
  const [{ data, error, fetching }] = useQuery({ query: ProjectPageQuery, variables: { id, first: PROJECT_REQUESTS_PAGE }, pause: since === null });
  const [{ fetching: switching }, archive] = useMutation(ArchiveProject);
  const [, unarchive] = useMutation(UnarchiveProject);
  const [problem, setProblem] = useState<string | null>(null);

  if (!data && (fetching || since === null)) return <p aria-busy="true">Loading the project…</p>;
  if (error && !data) return <p className="error">Could not load the project: {error.message}</p>;
  const project = data?.project;
  if (!project) {
    return (
      <section>
        <h1>Project not found</h1>
        <p>
          There is no such project, or you are not a member of it. <Link href="/projects">All projects</Link>
        </p>
      </section>
    );
  }

  const admin = isTenantAdmin(session);
  const me = session?.claims.sub;
  const canManage = admin || project.members.some((member) => member.userId === me && member.role === 'PROJECT_ADMIN');
  const requests = project.vmRequests;

  async function toggleArchived() {
    setProblem(null);
    const input = { projectId: project!.id };
    const result = project!.status === 'ACTIVE' ? await archive({ input }) : await unarchive({ input });
    const outcome = result.data ? Object.values(result.data)[0] : undefined;
    if (!outcome) setProblem(`The server could not be reached (${result.error?.message ?? 'no answer'}).`);
    else if ('message' in outcome) setProblem(outcome.message);
  }

  return (
    <section>
      <p className="hint">
        <Link href="/projects">Projects</Link> /
      </p>
      <div className="queue-head">
        <h1>{project.name}</h1>
        <span className={`badge status-${project.status}`}>{project.status}</span>
      </div>
      {project.description ? <p className="justification">{project.description}</p> : null}
      <p className="hint">
        Created by {project.createdBy} on {localDateTime(project.createdAt)}.
        {project.status === 'ARCHIVED' ? ' Archived: no VM can be requested in it.' : ''}
      </p>
      {admin ? (
        <p className="inline-actions">
          <button type="button" className="button-secondary" disabled={switching} onClick={() => void toggleArchived()}>
            {project.status === 'ACTIVE' ? 'Archive project' : 'Unarchive project'}
          </button>
          {problem ? (
            <span className="error" role="alert">
              {problem}
            </span>
          ) : null}
        </p>
      ) : null}

      <ProjectQuota project={project} canSet={admin} />
      <h3>Running now</h3>
      <ProjectUsageFigures usage={project.usage} label={`Running VMs of ${project.name}`} />

      <ProjectMembers project={project} canManage={canManage} />

      <h2>Requests ({requests.totalCount})</h2>
      {admin ? null : <p className="hint">Your requests in this project.</p>}
      {requests.edges.length === 0 ? (
        <p className="empty">No request in this project yet.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">VM</th>
                <th scope="col">Status</th>
                <th scope="col">Size</th>
                <th scope="col">Requester</th>
                <th scope="col">Requested</th>
              </tr>
            </thead>
            <tbody>
              {requests.edges.map(({ node: request }) => (
                <tr key={request.id}>
                  <th scope="row">
                    <Link href={`/requests/${request.id}`}>{request.vmName}</Link>
                  </th>
                  <td>
                    <span className={`badge status-${request.status}`}>{request.status}</span>
                    {request.provisioningStage ? <span className="hint"> {request.provisioningStage.replaceAll('_', ' ').toLowerCase()}</span> : null}
                    {request.status === 'READY' ? (
                      <>
                        {' '}
                        <PowerBadge powerState={request.powerState} pending={request.pendingOperation} />
                      </>
                    ) : null}
                  </td>
                  <td>{request.size}</td>
                  <td>{request.requesterName ?? request.requesterId}</td>
                  <td>
                    <TimeAgo iso={request.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {requests.pageInfo.hasNextPage ? (
            <p className="hint">
              The newest {requests.edges.length} shown. <Link href={`/?project=${project.id}`}>All of this project's requests</Link>
            </p>
          ) : null}
        </div>
      )}
    </section>
  );
}
