import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useMutation } from 'urql';
import { useLocation } from 'wouter';
import type { VmSize } from '../../gql/graphql.ts';
import { JUSTIFICATION_MAX, JUSTIFICATION_MIN, justificationLength, justificationProblem } from '../../forms/justification-rule.ts';
import { createSubmissionKey } from '../../forms/submission-key.ts';
import { VM_NAME_RULE, vmNameProblem } from '../../forms/vm-name-rule.ts';
import { quotaExceededMessage } from '../../graphql/quota-refusal.ts';
import { CreateVmRequestMutation } from './documents.ts';
import type { RequestableProjects } from './requestable-projects.ts';
import { formatEuros, type SizeOption, SizeCards } from './size-cards.tsx';

/** The form's fields, in the order they appear (and so the order in which the first invalid one gets focus). */
const FIELDS = ['projectId', 'vmName', 'size', 'justification'] as const;
type Field = (typeof FIELDS)[number];
type Values = Record<Field, string>;
type Problems = Partial<Record<Field, string>>;

const isField = (name: string): name is Field => (FIELDS as readonly string[]).includes(name);

const liveProblems = (values: Values): Problems => ({
  ...(values.projectId ? {} : { projectId: 'Choose a project' }),
  ...(values.size ? {} : { size: 'Choose a size' }),
  ...(vmNameProblem(values.vmName) ? { vmName: vmNameProblem(values.vmName)! } : {}),
  ...(justificationProblem(values.justification) ? { justification: justificationProblem(values.justification)! } : {}),
});

interface NewRequestFormProps {
  projects: RequestableProjects;
  sizes: readonly SizeOption[];
  /** The server refused for a reason outside the form (e.g. the project was archived meanwhile): reload the options. */
  onStaleOptions(): void;
}

/**
 * The request form. The rules copied from the server (forms/) speak as the user types, but the server decides: once
 * a project and a size are chosen (the request cannot be sent without them) the form sends, and the server's
 * ValidationError marks every field it names, in the server's words, which the copies repeat word for word.
 */
export function NewRequestForm({ projects, sizes, onStaleOptions }: NewRequestFormProps) {
  const id = useId();
  const [, navigate] = useLocation();
  const offered = [...projects.mine, ...projects.others];
  const [values, setValues] = useState<Values>({
    projectId: offered.length === 1 ? offered[0]!.id : '',
    vmName: '',
    size: '',
    justification: '',
  });
  // The VM name's rule speaks from its first keystroke, the others' after a submit (the counter guides until then):
  // a message appearing when a field is left would push the button away between the press and the release of a
  // click on it. The server's messages stand until their field changes.
  const [attempted, setAttempted] = useState(false);
  const [serverProblems, setServerProblems] = useState<Problems>({});
  const [alert, setAlert] = useState<string | null>(null);
  // A new object per request, so asking again for the same field moves focus again.
  const [focusRequest, setFocusRequest] = useState<{ target: Field | 'alert' } | null>(null);
  const [{ fetching: submitting }, createVmRequest] = useMutation(CreateVmRequestMutation);
  const submissionKey = useMemo(() => createSubmissionKey(), []);
  // The button is disabled while sending, but a second click can land before React re-renders it.
  const sending = useRef(false);
  const alertRef = useRef<HTMLDivElement>(null);
  const refs = {
    projectId: useRef<HTMLSelectElement>(null),
    vmName: useRef<HTMLInputElement>(null),
    size: useRef<HTMLFieldSetElement>(null),
    justification: useRef<HTMLTextAreaElement>(null),
  };

  useEffect(() => {
    if (!focusRequest) return;
    const { target } = focusRequest;
    if (target === 'alert') alertRef.current?.focus();
    else if (target === 'size') {
      const group = refs.size.current;
      (group?.querySelector<HTMLInputElement>('input:checked') ?? group?.querySelector<HTMLInputElement>('input'))?.focus();
    } else refs[target].current?.focus();
    // The refs never change; only a new request moves focus.
  }, [focusRequest]);

  const live = liveProblems(values);
  const shown = (field: Field): string | null => {
    const server = serverProblems[field];
    if (server) return server;
    const speaks = attempted || (field === 'vmName' && values.vmName !== '');
    return speaks ? (live[field] ?? null) : null;
  };

  const change = (field: Field, value: string) => {
    setValues((before) => ({ ...before, [field]: value }));
    setServerProblems(({ [field]: _dropped, ...rest }) => rest);
    // A changed form is a new attempt: a click now must create a request even if the last attempt created one.
    submissionKey.reset();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (sending.current) return;
    setAttempted(true);
    setAlert(null);
    if (!values.projectId || !values.size) {
      const first = FIELDS.find((field) => live[field]);
      if (first) setFocusRequest({ target: first });
      return;
    }
    sending.current = true;
    const result = await createVmRequest({
      input: {
        projectId: values.projectId,
        vmName: values.vmName,
        size: values.size as VmSize,
        justification: values.justification,
        idempotencyKey: submissionKey.current(),
      },
    });
    sending.current = false;
    const answer = result.data?.createVmRequest;
    if (!answer) {
      // Nothing is known about the request: the same key goes with the next click, so it is created at most once.
      setAlert(
        result.error?.networkError
          ? 'The server could not be reached. Send again when you are back online; the request will not be created twice.'
          : (result.error?.graphQLErrors[0]?.message ?? 'The request could not be sent.'),
      );
      setFocusRequest({ target: 'alert' });
      return;
    }
    switch (answer.__typename) {
      case 'CreateVmRequestPayload':
        submissionKey.reset();
        navigate(`/requests/${answer.vmRequest.id}`);
        return;
      case 'ValidationError': {
        const problems: Problems = {};
        const elsewhere: string[] = [];
        for (const { field, message } of answer.fields) {
          if (isField(field)) problems[field] ??= message;
          else elsewhere.push(message);
        }
        setServerProblems(problems);
        setAlert(elsewhere.length > 0 ? elsewhere.join(' ') : null);
        const first = FIELDS.find((field) => problems[field]);
        setFocusRequest({ target: first ?? 'alert' });
        return;
      }
      case 'QuotaExceededError':
        // Not stale options: the project is fine, it is full. A smaller size or a freed request may fit, and nothing
        // was written, so the next try goes under a new key.
        submissionKey.reset();
        setAlert(quotaExceededMessage(answer));
        setFocusRequest({ target: 'alert' });
        return;
      default:
        setAlert(answer.message);
        setFocusRequest({ target: 'alert' });
        onStaleOptions();
    }
  };

  const errorId = (field: Field) => `${id}-${field}-error`;
  const describedBy = (field: Field, ...others: string[]) =>
    [...others, ...(shown(field) ? [errorId(field)] : [])].join(' ') || undefined;
  const fieldError = (field: Field) =>
    shown(field) ? (
      <p id={errorId(field)} className="field-error">
        {shown(field)}
      </p>
    ) : null;

  const count = justificationLength(values.justification);
  const chosenSize = sizes.find((spec) => spec.size === values.size);

  return (
    <form className="request-form" noValidate onSubmit={(event) => void submit(event)}>
      <div ref={alertRef} role="alert" tabIndex={-1} className={alert ? 'form-alert' : undefined}>
        {alert ? (
          <>
            <strong>The request was not created.</strong> {alert}
          </>
        ) : null}
      </div>

      <div className="field">
        <label htmlFor={`${id}-projectId`}>Project</label>
        <select
          id={`${id}-projectId`}
          ref={refs.projectId}
          value={offered.some((project) => project.id === values.projectId) ? values.projectId : ''}
          onChange={(event) => change('projectId', event.target.value)}
          aria-invalid={shown('projectId') ? true : undefined}
          aria-describedby={describedBy('projectId')}
        >
          {offered.length === 1 ? null : <option value="">Choose a project…</option>}
          {projects.others.length === 0 ? (
            projects.mine.map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
              </option>
            ))
          ) : (
            <>
              {projects.mine.length > 0 ? (
                <optgroup label="Your projects">
                  {projects.mine.map((project) => (
                    <option key={project.id} value={project.id}>
                      {project.name}
                    </option>
                  ))}
                </optgroup>
              ) : null}
              <optgroup label="Other projects (as tenant admin)">
                {projects.others.map((project) => (
                  <option key={project.id} value={project.id}>
                    {project.name}
                  </option>
                ))}
              </optgroup>
            </>
          )}
        </select>
        {fieldError('projectId')}
      </div>

      <div className="field">
        <label htmlFor={`${id}-vmName`}>VM name</label>
        <input
          id={`${id}-vmName`}
          ref={refs.vmName}
          value={values.vmName}
          onChange={(event) => change('vmName', event.target.value)}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          aria-invalid={shown('vmName') ? true : undefined}
          aria-describedby={describedBy('vmName', `${id}-vmName-rule`)}
        />
        <p id={`${id}-vmName-rule`} className="hint">
          {VM_NAME_RULE}
        </p>
        {fieldError('vmName')}
        {!shown('vmName') && values.vmName !== '' ? <p className="field-ok">✓ Valid name</p> : null}
      </div>

      <SizeCards
        sizes={sizes}
        value={values.size}
        onChange={(size) => change('size', size)}
        error={shown('size')}
        errorId={errorId('size')}
        groupRef={refs.size}
      />

      <div className="field">
        <label htmlFor={`${id}-justification`}>Justification</label>
        <textarea
          id={`${id}-justification`}
          ref={refs.justification}
          rows={5}
          value={values.justification}
          onChange={(event) => change('justification', event.target.value)}
          aria-invalid={shown('justification') ? true : undefined}
          aria-describedby={describedBy('justification', `${id}-justification-count`)}
        />
        <p id={`${id}-justification-count`} className={count > JUSTIFICATION_MAX ? 'hint char-count over' : 'hint char-count'}>
          {count} / {JUSTIFICATION_MAX} characters (at least {JUSTIFICATION_MIN})
        </p>
        {fieldError('justification')}
      </div>

      <div className="form-actions">
        <button type="submit" disabled={submitting}>
          {submitting ? 'Requesting…' : 'Request VM'}
        </button>
        <span className="hint">
          {chosenSize ? `Estimated cost: ${formatEuros(chosenSize.monthlyCostEur)} / month. ` : ''}An admin approves each
          request before it is provisioned.
        </span>
      </div>
    </form>
  );
}
