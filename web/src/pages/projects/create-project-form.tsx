import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Link } from 'wouter';
import { CreateProject } from '../../graphql/projects.ts';

type Field = 'name' | 'description';

/**
 * Creates a project (tenant admins). The server's rules decide; every field it names invalid shows its message next
 * to the input. The list below picks the new project up from the cache (graphql/project-updates.ts).
 */
export function CreateProjectForm() {
  const id = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);
  const [{ fetching }, create] = useMutation(CreateProject);
  const nameInput = useRef<HTMLInputElement>(null);
  // One key per filled-in form: a double submit or a retry after a lost answer creates one project.
  const attempt = useRef<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setCreated(null);
    attempt.current ??= crypto.randomUUID();
    const result = await create({
      input: { name, description: description.trim() ? description : null, idempotencyKey: attempt.current },
    });
    const outcome = result.data?.createProject;
    if (!outcome) {
      setProblem(`The server could not be reached (${result.error?.message ?? 'no answer'}). Nothing changed; try again.`);
      return;
    }
    if (outcome.__typename === 'CreateProjectPayload') {
      attempt.current = null;
      setErrors({});
      setName('');
      setDescription('');
      setCreated({ id: outcome.project.id, name: outcome.project.name });
      nameInput.current?.focus();
      return;
    }
    attempt.current = null;
    if (outcome.__typename === 'ValidationError') {
      const next: Partial<Record<Field, string>> = {};
      for (const field of outcome.fields) if (field.field === 'name' || field.field === 'description') next[field.field] ??= field.message;
      setErrors(next);
      if (Object.keys(next).length === 0) setProblem(outcome.message);
      document.getElementById(`${id}-${next.name ? 'name' : 'description'}`)?.focus();
      return;
    }
    setProblem(outcome.message);
  }

  const described = (field: Field, hint: string) => (errors[field] ? `${id}-${field}-error ${hint}` : hint);
  return (
    <form className="project-form card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Create a project</h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          ref={nameInput}
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            setErrors((before) => ({ ...before, name: undefined }));
          }}
          aria-required="true"
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={described('name', `${id}-name-hint`)}
          autoComplete="off"
        />
        <p id={`${id}-name-hint`} className="hint">
          3 to 100 characters: letters, digits, spaces, _ and -, starting with a letter or digit; unique in your organisation.
        </p>
        {errors.name ? (
          <p id={`${id}-name-error`} className="error field-error">
            {errors.name}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <textarea
          id={`${id}-description`}
          value={description}
          rows={2}
          onChange={(event) => {
            setDescription(event.target.value);
            setErrors((before) => ({ ...before, description: undefined }));
          }}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={described('description', `${id}-description-hint`)}
        />
        <p id={`${id}-description-hint`} className="hint">
          At most 2000 characters.
        </p>
        {errors.description ? (
          <p id={`${id}-description-error`} className="error field-error">
            {errors.description}
          </p>
        ) : null}
      </div>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="inline-actions">
        <button type="submit" disabled={fetching}>
          {fetching ? 'Creating…' : 'Create project'}
        </button>
        <span role="status">
          {created ? (
            <>
              Project <Link href={`/projects/${created.id}`}>{created.name}</Link> created.
            </>
          ) : null}
        </span>
      </div>
    </form>
  );
}
