import { useEffect, useId, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { Link, useSearchParams } from 'wouter';
import { DateTime } from '../components/date-time.tsx';
import { PowerBadge } from '../components/power-badge.tsx';
import { StageSteps } from '../components/stage-steps.tsx';
import { STATUS_LABELS, StatusBadge } from '../components/status-badge.tsx';
import type { VmRequestFilter, VmRequestStatus } from '../gql/graphql.ts';
import { MY_REQUESTS_PAGE, MyRequestsQuery, RequestFilterProjectsQuery } from '../graphql/my-requests.ts';

const STATUSES = Object.keys(STATUS_LABELS) as VmRequestStatus[];
const SEARCH_DELAY_MS = 300;

/**
 * The caller's own requests, newest first, a page at a time, narrowed by project, status and VM name (kept in the
 * address, so a filtered view can be linked). Every row and count follows the live feed through the cache.
 */
export function MyRequestsPage() {
  const [params, setParams] = useSearchParams();
  const projectId = params.get('project') ?? '';
  const status = STATUSES.find((value) => value === params.get('status')) ?? null;
  const search = params.get('q') ?? '';
  const [searchInput, setSearchInput] = useState(search);
  // The `after` cursors of the pages before this one: "Previous" goes back to the one before.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;

  const setParam = (name: string, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  useEffect(() => {
    if (searchInput.trim() === search) return;
    const timer = setTimeout(() => setParam('q', searchInput.trim() || null), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  });
  // Another filter is another list: start again from its first page.
  useEffect(() => setCursors([null]), [projectId, status, search]);

  const filter = useMemo<VmRequestFilter>(
    () => ({ mine: true, projectId: projectId || null, status: status ? [status] : null, search: search || null }),
    [projectId, status, search],
  );
  const [{ data, fetching, error }] = useQuery({ query: MyRequestsQuery, variables: { first: MY_REQUESTS_PAGE, after, filter } });
  const [{ data: projectData }] = useQuery({ query: RequestFilterProjectsQuery });
  const list = data?.vmRequests;
  const allCount = list?.statusCounts.reduce((sum, entry) => sum + entry.count, 0) ?? 0;
  const filtered = Boolean(projectId || status || search);
  const ids = { project: useId(), search: useId(), status: useId() };

  return (
    <section className="my-requests">
      <div className="page-head">
        <h1>My requests</h1>
        <Link href="/requests/new" className="button">
          New request
        </Link>
      </div>

      <div className="filters" role="search" aria-label="Filter my requests">
        <div className="field">
          <label htmlFor={ids.project}>Project</label>
          <select id={ids.project} value={projectId} onChange={(event) => setParam('project', event.target.value || null)}>
            <option value="">All projects</option>
            {projectData?.projects.edges.map(({ node }) => (
              <option key={node.id} value={node.id}>
                {node.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.search}>Search by VM name</label>
          <input id={ids.search} type="search" value={searchInput} maxLength={63} onChange={(event) => setSearchInput(event.target.value)} />
        </div>
      </div>

      <div className="status-tabs" role="group" aria-labelledby={ids.status}>
        <span id={ids.status} className="visually-hidden">
          Status
        </span>
        <button type="button" className="chip" aria-pressed={status === null} onClick={() => setParam('status', null)}>
          All <span className="chip-count">{list ? allCount : '…'}</span>
        </button>
        {STATUSES.map((value) => {
          const count = list?.statusCounts.find((entry) => entry.status === value)?.count;
          return (
            <button key={value} type="button" className="chip" aria-pressed={status === value} data-status-tab={value} onClick={() => setParam('status', value)}>
              {STATUS_LABELS[value]} <span className="chip-count">{count ?? '…'}</span>
            </button>
          );
        })}
      </div>

      {error ? (
        <p className="error" role="alert">
          The requests could not be loaded: {error.message}
        </p>
      ) : null}
      <p className="hint" role="status" aria-live="polite">
        {list ? `${list.totalCount} ${list.totalCount === 1 ? 'request' : 'requests'}${filtered ? (list.totalCount === 1 ? ' matches the filters' : ' match the filters') : ''}` : fetching ? 'Loading…' : ''}
      </p>

      {list && list.edges.length === 0 ? (
        <div className="card empty">
          {filtered ? (
            <p>No request matches these filters.</p>
          ) : (
            <p>
              You have not requested a VM yet. <Link href="/requests/new">New request</Link>
            </p>
          )}
        </div>
      ) : null}

      {list && list.edges.length > 0 ? (
        <table className="requests">
          <caption className="visually-hidden">My requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">VM name</th>
              <th scope="col">Project</th>
              <th scope="col">Size</th>
              <th scope="col">Status</th>
              <th scope="col">Requested</th>
            </tr>
          </thead>
          <tbody>
            {list.edges.map(({ node }) => (
              <tr key={node.id} data-request-id={node.id}>
                <td>
                  <Link href={`/requests/${node.id}`}>{node.vmName}</Link>
                </td>
                <td>{node.project.name}</td>
                <td>{node.size}</td>
                <td>
                  <StatusBadge status={node.status} />
                  {node.status === 'PROVISIONING' ? <StageSteps status={node.status} stage={node.provisioningStage} compact /> : null}
                  {node.status === 'READY' ? (
                    <>
                      {' '}
                      <PowerBadge powerState={node.powerState} pending={node.pendingOperation} />
                    </>
                  ) : null}
                </td>
                <td>
                  <DateTime iso={node.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {list && (cursors.length > 1 || list.pageInfo.hasNextPage) ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="button-secondary" disabled={cursors.length === 1} onClick={() => setCursors((stack) => stack.slice(0, -1))}>
            Previous page
          </button>
          <span>Page {cursors.length}</span>
          <button
            type="button"
            className="button-secondary"
            disabled={!list.pageInfo.hasNextPage}
            onClick={() => setCursors((stack) => [...stack, list.pageInfo.endCursor])}
          >
            Next page
          </button>
        </nav>
      ) : null}
    </section>
  );
}
