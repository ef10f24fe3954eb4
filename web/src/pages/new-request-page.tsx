import { useQuery } from 'urql';
import { Link } from 'wouter';
import { NewRequestOptionsQuery } from './new-request/documents.ts';
import { NewRequestForm } from './new-request/new-request-form.tsx';
import { requestableProjects } from './new-request/requestable-projects.ts';

/** /requests/new: request a VM in one of the caller's projects. */
export function NewRequestPage() {
  const [{ data, error }, reload] = useQuery({ query: NewRequestOptionsQuery });

  let body;
  if (!data) {
    body = error ? (
      <p role="alert" className="form-alert">
        The projects and sizes could not be loaded: {error.message}
      </p>
    ) : (
      <p role="status" className="hint">
        Loading your projects and the VM sizes…
      </p>
    );
  } else {
    const projects = requestableProjects(
      data.projects.edges.map((edge) => edge.node),
      data.viewer,
    );
    const isAdmin = data.viewer.roles.includes('admin');
    if (projects.mine.length + projects.others.length === 0) {
      body = (
        <div className="card empty-state">
          <h2>No project to request a VM in</h2>
          {isAdmin ? (
            <p>
              The tenant has no active project. Create one on the <Link href="/projects">Projects</Link> page first.
            </p>
          ) : (
            <p>
              You are not a member of an active project yet. Ask a tenant admin or a project admin to add you to one;
              your projects are listed on the <Link href="/projects">Projects</Link> page.
            </p>
          )}
        </div>
      );
    } else {
      body = (
        <>
          {data.projects.totalCount > data.projects.edges.length ? (
            <p className="hint">Only the first {data.projects.edges.length} projects are offered.</p>
          ) : null}
          <NewRequestForm projects={projects} sizes={data.vmSizes} onStaleOptions={() => reload({ requestPolicy: 'network-only' })} />
        </>
      );
    }
  }

  return (
    <section className="new-request">
      <h1>Request a VM</h1>
      {body}
    </section>
  );
}
