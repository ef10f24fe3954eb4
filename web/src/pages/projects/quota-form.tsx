import { type FormEvent, useId, useRef, useState } from 'react';
import { useClient, useMutation } from 'urql';
import type { ProjectItemFragment } from '../../gql/graphql.ts';
import { ProjectQuotaNow, SetProjectQuota } from '../../graphql/projects.ts';
import { QUOTA_RESOURCES } from './quota-meters.tsx';

type Quota = ProjectItemFragment['quota'];
type Field = (typeof QUOTA_RESOURCES)[number]['limit'];
type Values = Record<Field, string>;
type Problems = Partial<Record<Field, string>>;

const FIELDS = QUOTA_RESOURCES.map((each) => each.limit);
const isField = (name: string): name is Field => (FIELDS as string[]).includes(name);
const valuesOf = (quota: Quota): Values =>
  Object.fromEntries(FIELDS.map((field) => [field, quota[field] === null || quota[field] === undefined ? '' : String(quota[field])])) as Values;
const HINTS: Record<Field, string> = {
  maxVms: 'How many VMs the project may hold.',
  maxVCpus: 'How many vCPUs its VMs may add up to.',
  maxRamGb: 'How much memory (GB) its VMs may add up to.',
  maxStorageGb: 'How much disk (GB) its VMs may add up to.',
};
const LABELS: Record<Field, string> = { maxVms: 'Max VMs', maxVCpus: 'Max vCPUs', maxRamGb: 'Max RAM (GB)', maxStorageGb: 'Max disk (GB)' };
// GraphQL's Int: a larger number would be refused as a malformed request, not with the server's rule for the field.
const INT_MAX = 2 ** 31 - 1;

/** A field's text as the API's Int: null when empty (no limit), a string when it is no whole number at all. */
function parse(text: string): number | null | string {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^[-+]?\d+$/.test(trimmed) || Math.abs(Number(trimmed)) > INT_MAX) return 'Enter a whole number, or leave it empty for no limit.';
  return Number(trimmed);
}

/**
 * Sets the project's four limits (tenant admins): empty is no limit. Sent with the project version it was filled in
 * against; if someone changed the project meanwhile, the form is filled again with what is there now and says so.
 * The server's rules decide the ranges: each field it names shows its message.
 */
export function QuotaForm({ project, onDone }: { project: ProjectItemFragment; onDone(saved: boolean): void }) {
  const id = useId();
  const client = useClient();
  const [values, setValues] = useState<Values>(() => valuesOf(project.quota));
  const [version, setVersion] = useState(project.version);
  const [problems, setProblems] = useState<Problems>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [{ fetching }, setQuota] = useMutation(SetProjectQuota);
  const attempt = useRef<string | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  const focusField = (field: Field) => document.getElementById(`${id}-${field}`)?.focus();
  const say = (text: string) => {
    setAlert(text);
    // After React rendered the text, so the move lands on it.
    queueMicrotask(() => alertRef.current?.focus());
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setAlert(null);
    const parsed = Object.fromEntries(FIELDS.map((field) => [field, parse(values[field])])) as Record<Field, number | null | string>;
    const local: Problems = {};
    for (const field of FIELDS) if (typeof parsed[field] === 'string') local[field] = parsed[field];
    if (Object.keys(local).length > 0) {
      setProblems(local);
      focusField(FIELDS.find((field) => local[field])!);
      return;
    }
    attempt.current ??= crypto.randomUUID();
    const limits = parsed as Record<Field, number | null>;
    const result = await setQuota({ input: { projectId: project.id, expectedVersion: version, ...limits, idempotencyKey: attempt.current } });
    const outcome = result.data?.setProjectQuota;
    if (!outcome) {
      say(`The server could not be reached (${result.error?.message ?? 'no answer'}). Nothing changed; try again.`);
      return;
    }
    attempt.current = null;
    switch (outcome.__typename) {
      case 'SetProjectQuotaPayload':
        setProblems({});
        onDone(true);
        return;
      case 'ValidationError': {
        const next: Problems = {};
        const elsewhere: string[] = [];
        for (const { field, message } of outcome.fields) {
          if (isField(field)) next[field] ??= message;
          else elsewhere.push(message);
        }
        setProblems(next);
        const first = FIELDS.find((field) => next[field]);
        if (first) focusField(first);
        if (elsewhere.length > 0 || !first) say(elsewhere.join(' ') || outcome.message);
        return;
      }
      case 'ConcurrencyError': {
        // Read past the cache: the cached project is the version this form was filled in against.
        const now = await client.query(ProjectQuotaNow, { id: project.id }, { requestPolicy: 'network-only' }).toPromise();
        const fresh = now.data?.project;
        if (!fresh) {
          say('The project was changed meanwhile and could not be read again. Close the form and try again.');
          return;
        }
        setValues(valuesOf(fresh.quota));
        // The quota is read from the write side, the version from the projects read model, which may not have the
        // change yet; the refusal's version is the stream's own.
        setVersion(Math.max(fresh.version, outcome.actualVersion));
        setProblems({});
        say('The project was changed meanwhile, so nothing was saved. The form now shows its current limits: check them and save again.');
        return;
      }
      default:
        say(outcome.message);
    }
  }

  return (
    <form className="quota-form card" noValidate onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Set the quota</h3>
      <p className="hint">Whole numbers from 0; leave a field empty for no limit. A limit below what the project holds takes nothing away, it refuses new requests.</p>
      <div ref={alertRef} role="alert" tabIndex={-1} className={alert ? 'form-alert' : undefined}>
        {alert}
      </div>
      <div className="quota-fields">
        {FIELDS.map((field) => {
          const error = problems[field];
          return (
            <div className="field" key={field}>
              <label htmlFor={`${id}-${field}`}>{LABELS[field]}</label>
              <input
                id={`${id}-${field}`}
                inputMode="numeric"
                autoComplete="off"
                value={values[field]}
                placeholder="unlimited"
                onChange={(event) => {
                  const text = event.target.value;
                  setValues((before) => ({ ...before, [field]: text }));
                  setProblems(({ [field]: _dropped, ...rest }) => rest);
                  attempt.current = null;
                }}
                aria-invalid={error ? true : undefined}
                aria-describedby={[`${id}-${field}-hint`, ...(error ? [`${id}-${field}-error`] : [])].join(' ')}
              />
              <p id={`${id}-${field}-hint`} className="hint">
                {HINTS[field]}
              </p>
              {error ? (
                <p id={`${id}-${field}-error`} className="error field-error">
                  {error}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      <div className="inline-actions">
        <button type="submit" disabled={fetching}>
          {fetching ? 'Saving…' : 'Save quota'}
        </button>
        <button type="button" className="button-secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
