import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { ProjectItemFragment, ProjectRole } from '../../gql/graphql.ts';
import { AddProjectMember, RemoveProjectMember } from '../../graphql/projects.ts';

const ROLE_LABELS: Record<ProjectRole, string> = { MEMBER: 'Member', PROJECT_ADMIN: 'Project admin' };

/**
 * The members and their roles; those who may manage them (tenant admins, the project's PROJECT_ADMINs) add, change
 * and remove them while the project is active. The mutation answers with the project, which the cache stores over
 * the one shown, so the list updates from that answer.
 */
export function ProjectMembers({ project, canManage }: { project: ProjectItemFragment; canManage: boolean }) {
  const id = useId();
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<ProjectRole>('MEMBER');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; bad: boolean } | null>(null);
  const [{ fetching: adding }, add] = useMutation(AddProjectMember);
  const [{ fetching: removing }, remove] = useMutation(RemoveProjectMember);
  const editable = canManage && project.status === 'ACTIVE';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    if (!userId.trim()) {
      setFieldError('Enter the user id of the person to add (their sign-in name).');
      return;
    }
    const result = await add({ input: { projectId: project.id, userId, role } });
    const outcome = result.data?.addProjectMember;
    if (!outcome) return setMessage({ text: `The server could not be reached (${result.error?.message ?? 'no answer'}).`, bad: true });
    if (outcome.__typename === 'AddProjectMemberPayload') {
      setMessage({ text: `${userId.trim()} is now a ${ROLE_LABELS[role].toLowerCase()} of ${project.name}.`, bad: false });
      setUserId('');
      setFieldError(null);
      return;
    }
    if (outcome.__typename === 'ValidationError') {
      setFieldError(outcome.fields.find((field) => field.field === 'userId')?.message ?? outcome.message);
      return;
    }
    setMessage({ text: outcome.message, bad: true });
  }

  // Adding someone again with another role changes their role (the API's addProjectMember), so a row's role picker
  // sends that.
  async function onRoleChange(member: string, newRole: ProjectRole) {
    setMessage(null);
    const result = await add({ input: { projectId: project.id, userId: member, role: newRole } });
    const outcome = result.data?.addProjectMember;
    if (!outcome) return setMessage({ text: `The server could not be reached (${result.error?.message ?? 'no answer'}).`, bad: true });
    if (outcome.__typename === 'AddProjectMemberPayload') {
      setMessage({ text: `${member} is now a ${ROLE_LABELS[newRole].toLowerCase()} of ${project.name}.`, bad: false });
      return;
    }
    setMessage({ text: outcome.message, bad: true });
  }

  async function onRemove(member: string) {
    setMessage(null);
    const result = await remove({ input: { projectId: project.id, userId: member } });
    const outcome = result.data?.removeProjectMember;
    if (!outcome) return setMessage({ text: `The server could not be reached (${result.error?.message ?? 'no answer'}).`, bad: true });
    if (outcome.__typename === 'RemoveProjectMemberPayload') {
      setMessage({ text: `${member} was removed from ${project.name}.`, bad: false });
      document.getElementById(`${id}-user`)?.focus();
      return;
    }
    setMessage({ text: outcome.message, bad: true });
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Members ({project.members.length})</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            {editable ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {project.members.map((member) => (
            <tr key={member.userId}>
              <th scope="row">
                {member.userId}
                {member.userId === project.createdBy ? <span className="hint"> (created the project)</span> : null}
              </th>
              <td>
                {editable && member.userId !== project.createdBy ? (
                  <select
                    aria-label={`Role of ${member.userId}`}
                    value={member.role}
                    disabled={adding}
                    onChange={(event) => void onRoleChange(member.userId, event.target.value as ProjectRole)}
                  >
                    <RoleOptions />
                  </select>
                ) : (
                  ROLE_LABELS[member.role]
                )}
              </td>
              {editable ? (
                <td>
                  {member.userId === project.createdBy ? null : (
                    <button type="button" className="button-secondary" disabled={removing} onClick={() => void onRemove(member.userId)}>
                      Remove<span className="visually-hidden"> {member.userId}</span>
                    </button>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {message ? (
        <p role={message.bad ? 'alert' : 'status'} className={message.bad ? 'error' : 'done'}>
          {message.text}
        </p>
      ) : null}
      {editable ? (
        <form className="member-form" onSubmit={(event) => void submit(event)} noValidate aria-label="Add a member">
          <div className="field">
            <label htmlFor={`${id}-user`}>User id</label>
            <input
              id={`${id}-user`}
              value={userId}
              onChange={(event) => {
                setUserId(event.target.value);
                setFieldError(null);
              }}
              aria-required="true"
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={fieldError ? `${id}-user-error` : undefined}
              autoComplete="off"
            />
            {fieldError ? (
              <p id={`${id}-user-error`} className="error field-error">
                {fieldError}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select id={`${id}-role`} value={role} onChange={(event) => setRole(event.target.value as ProjectRole)}>
              <RoleOptions />
            </select>
          </div>
          <button type="submit" disabled={adding}>
            {adding ? 'Adding…' : 'Add member'}
          </button>
        </form>
      ) : canManage ? (
        <p className="hint">The project is archived: its members cannot change.</p>
      ) : null}
    </section>
  );
}

function RoleOptions() {
  return (
    <>
      <option value="MEMBER">{ROLE_LABELS.MEMBER}</option>
      <option value="PROJECT_ADMIN">{ROLE_LABELS.PROJECT_ADMIN}</option>
    </>
  );
}
