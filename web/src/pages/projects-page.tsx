import { useQuery } from 'urql';
import { Link } from 'wouter';
import { isTenantAdmin, useSession } from '../auth/session.ts';
import { PROJECTS_PAGE, ProjectsQuery } from '../graphql/projects.ts';
import { CreateProjectForm } from './projects/create-project-form.tsx';
import { euro } from './projects/project-usage.tsx';
import { QuotaSummary } from './projects/quota-meters.tsx';

/** The projects the user can see (admins: all of the tenant), with what each has provisioned. */
export function ProjectsPage() {
  const session = useSession();
  const admin = isTenantAdmin(session);
  const [{ data, error, fetching }] = useQuery({ query: ProjectsQuery, variables: { first: PROJECTS_PAGE } });
  const projects = data?.projects;
  return (
    <section>
      <h1>Projects</h1>
      <p className="hint">
        {admin ? 'Every project of your organisation.' : 'The projects you are a member of.'} VMs, vCPU, RAM, disk and
        cost count the VMs that reached READY; the quota column counts requests on their way too, against each limit.
      </p>
      {admin ? <CreateProjectForm /> : null}
      {error && !projects ? <p className="error">Could not load the projects: {error.message}</p> : null}
      {!projects && fetching ? <p aria-busy="true">Loading projects…</p> : null}
      {projects && projects.edges.length === 0 ? (
        <p className="empty">
          {admin ? 'No project yet: create the first one above.' : 'You are not a member of any project yet. An admin can add you.'}
        </p>
      ) : null}
      {projects && projects.edges.length > 0 ? (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">
              Projects ({projects.totalCount}){projects.pageInfo.hasNextPage ? `, the first ${projects.edges.length} shown` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Status</th>
                <th scope="col" className="number">Members</th>
                <th scope="col" className="number">VMs</th>
                <th scope="col" className="number">vCPU</th>
                <th scope="col" className="number">RAM</th>
                <th scope="col" className="number">Disk</th>
                <th scope="col" className="number">Cost per month</th>
                <th scope="col">Quota used</th>
              </tr>
            </thead>
            <tbody>
              {projects.edges.map(({ node: project }) => (
                <tr key={project.id} data-project={project.name}>
                  <th scope="row">
                    <Link href={`/projects/${project.id}`}>{project.name}</Link>
                    {project.description ? <div className="hint">{project.description}</div> : null}
                  </th>
                  <td>
                    <span className={`badge status-${project.status}`}>{project.status}</span>
                  </td>
                  <td className="number">{project.members.length}</td>
                  <td className="number">{project.usage.vms}</td>
                  <td className="number">{project.usage.vcpus}</td>
                  <td className="number">{project.usage.memoryGb} GB</td>
                  <td className="number">{project.usage.diskGb} GB</td>
                  <td className="number">{euro.format(project.usage.monthlyCostEur)}</td>
                  <td data-quota-summary>
                    <QuotaSummary quota={project.quota} counted={project.usage.counted} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
