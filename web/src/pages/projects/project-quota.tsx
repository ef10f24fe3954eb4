import { useId, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import type { ProjectItemFragment } from '../../gql/graphql.ts';
import { ProjectUsageChanged, ProjectUsageChanges } from '../../graphql/projects.ts';
import { QuotaForm } from './quota-form.tsx';
import { QuotaMeters } from './quota-meters.tsx';

/**
 * Keeps a project's usage and quota live while its page is open: every change of one of its requests comes with the
 * project's figures as the server read them for that change, and the cache stores them over the shown ones. Starts
 * `since` the cursor read before the page's query, so no change falls between the two. `seesAll`: the viewer's feed
 * of the project's requests holds all of them (an admin's); a member's holds only their own, so for members the
 * project's own usage feed brings the figures after anyone's change (starting with the project as it is then).
 */
export function useProjectUsageFeed(projectId: string, since: string | null, seesAll: boolean): void {
  useSubscription({ query: ProjectUsageChanges, variables: { projectId, since }, pause: since === null || !projectId });
  useSubscription({ query: ProjectUsageChanged, variables: { projectId }, pause: seesAll || since === null || !projectId });
}

/**
 * The project's usage against its quota, and for tenant admins the form that changes the quota (behind a button, so
 * the meters stay in view). The figures are kept live by useProjectUsageFeed.
 */
export function ProjectQuota({ project, canSet }: { project: ProjectItemFragment; canSet: boolean }) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState('');
  const toggle = useRef<HTMLButtonElement>(null);
  const limited = Object.entries(project.quota).some(([key, value]) => key !== '__typename' && value !== null && value !== undefined);

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Usage against quota</h2>
      <p className="hint">
        {limited ? 'Counted: running VMs and requests on their way (pending, approved, provisioning). ' : 'No limit is set: every resource is unlimited. '}
        The figures follow every request of the project live.
      </p>
      <QuotaMeters quota={project.quota} usage={project.usage} />
      {canSet ? (
        <>
          <p className="inline-actions">
            <button
              ref={toggle}
              type="button"
              className="button-secondary"
              aria-expanded={editing}
              aria-controls={editing ? `${id}-form` : undefined}
              onClick={() => {
                setSaved('');
                setEditing((open) => !open);
              }}
            >
              Change quota
            </button>
            <span role="status" className="done">
              {saved}
            </span>
          </p>
          {editing ? (
            <div id={`${id}-form`}>
              <QuotaForm
                project={project}
                onDone={(didSave) => {
                  setEditing(false);
                  setSaved(didSave ? 'Quota saved.' : '');
                  toggle.current?.focus();
                }}
              />
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
