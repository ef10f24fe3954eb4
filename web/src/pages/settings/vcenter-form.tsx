import { type FormEvent, useId, useRef, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { DateTime } from '../../components/date-time.tsx';
import type { VmwareSettingsFieldsFragment } from '../../gql/graphql.ts';
import { RemoveVmwareConnection, SetVmwareConnection, TestVmwareConnection, VmwareConnectionQuery } from '../../graphql/vmware-connection.ts';
import { RemoveConnectionDialog } from './remove-dialog.tsx';
import { TextField } from './text-field.tsx';
import { inputOf, placeFieldErrors, SIZES, type VcenterField, type VcenterValues, valuesOf } from './vcenter-values.ts';

type Problems = Partial<Record<VcenterField, string>>;
type TestResult = { ok: true; durationMs: number } | { ok: false; code: string | null; message: string; durationMs: number };
type Refusal = { __typename: string; message: string; fields?: { field: string; message: string }[] };

// The order of the form: the first invalid one gets focus.
const FIELD_ORDER: VcenterField[] = [
  'url',
  'username',
  'password',
  'datacenter',
  'cluster',
  'resourcePool',
  'datastore',
  'folder',
  'network',
  'templates',
  'defaultTemplate',
  'cidr',
  'gateway',
  'dnsServers',
  'dnsDomain',
  'caPem',
  'insecure',
];

/**
 * The tenant's vCenter connection as a form: Test connection tries what the form holds (saved or not; an empty
 * password tests with the stored one), Save sends it with the version it was filled in against, Remove asks first.
 * The server's rules decide: every field a ValidationError names shows its message on that field.
 */
export function VcenterForm({ connection }: { connection: VmwareSettingsFieldsFragment | null }) {
  const id = useId();
  const client = useClient();
  const [saved, setSaved] = useState(connection);
  const [values, setValues] = useState<VcenterValues>(() => valuesOf(connection));
  const [problems, setProblems] = useState<Problems>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const [test, setTest] = useState<TestResult | null>(null);
  const [removing, setRemoving] = useState(false);
  const [{ fetching: saving }, save] = useMutation(SetVmwareConnection);
  const [{ fetching: testing }, runTest] = useMutation(TestVmwareConnection);
  const [, remove] = useMutation(RemoveVmwareConnection);
  const attempt = useRef<string | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const removeRef = useRef<HTMLButtonElement>(null);
  const version = saved?.version ?? 0;
  const fieldId = (field: VcenterField) => `${id}-${field}`;

  const set = <K extends keyof VcenterValues>(key: K, value: VcenterValues[K]) => {
    setValues((before) => ({ ...before, [key]: value }));
    setProblems(({ [key as VcenterField]: _dropped, ...rest }) => rest);
    attempt.current = null;
    setDone('');
    // A test result speaks of the values it tried, not of these.
    setTest(null);
  };
  const say = (text: string) => {
    setAlert(text);
    // After React rendered the text, so the move lands on it.
    queueMicrotask(() => alertRef.current?.focus());
  };
  const clearMessages = () => {
    setAlert(null);
    setDone('');
  };

  /** Field errors on their fields (focus on the first), anything else in the alert. */
  function showRefusal(outcome: Refusal) {
    if (outcome.__typename !== 'ValidationError' || !outcome.fields) {
      setProblems({});
      say(outcome.message);
      return;
    }
    const { byField, elsewhere } = placeFieldErrors(outcome.fields);
    setProblems(byField);
    const first = FIELD_ORDER.find((field) => byField[field]);
    if (elsewhere.length > 0 || !first) say(elsewhere.join(' ') || outcome.message);
    else if (first === 'templates') document.getElementById(`${id}-template-S`)?.focus();
    else document.getElementById(fieldId(first))?.focus();
  }

  /** Someone changed or removed the connection meanwhile: the form shows what is saved now, the password kept. */
  async function reload(what: string) {
    const now = await client.query(VmwareConnectionQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (now.error || !now.data) {
      say(`${what} The saved connection could not be read again (${now.error?.message ?? 'no answer'}): reload the page.`);
      return;
    }
    const fresh = now.data.vmwareConnection;
    setSaved(fresh);
    setValues((before) => ({ ...valuesOf(fresh), password: before.password }));
    setProblems({});
    setTest(null);
    say(`${what} The form now shows the connection as it is saved: check it and save again.`);
  }

  async function onTest() {
    clearMessages();
    setTest(null);
    const result = await runTest({ input: { connection: inputOf(values) } });
    const outcome = result.data?.testVmwareConnection;
    if (!outcome) {
      say(`The server could not be reached (${result.error?.message ?? 'no answer'}). Try again.`);
      return;
    }
    if (outcome.__typename !== 'TestVmwareConnectionPayload') {
      showRefusal(outcome);
      return;
    }
    setProblems({});
    setTest(
      outcome.ok
        ? { ok: true, durationMs: outcome.durationMs }
        : { ok: false, code: outcome.failureCode, message: outcome.failureMessage ?? 'No reason was given.', durationMs: outcome.durationMs },
    );
  }

  async function onSave(event: FormEvent) {
    event.preventDefault();
    clearMessages();
    attempt.current ??= crypto.randomUUID();
    const result = await save({ input: { connection: inputOf(values), expectedVersion: version, idempotencyKey: attempt.current } });
    const outcome = result.data?.setVmwareConnection;
    if (!outcome) {
      say(`The server could not be reached (${result.error?.message ?? 'no answer'}). Nothing was saved; try again.`);
      return;
    }
    attempt.current = null;
    if (outcome.__typename === 'SetVmwareConnectionPayload') {
      setSaved(outcome.connection);
      setValues(valuesOf(outcome.connection));
      setProblems({});
      setDone(outcome.connection.version === version ? 'Nothing changed: the connection was already saved like this.' : 'Connection saved.');
      return;
    }
    if (outcome.__typename === 'ConcurrencyError') {
      await reload('The connection was changed meanwhile, so nothing was saved.');
      return;
    }
    showRefusal(outcome);
  }

  async function onRemove(): Promise<string | null> {
    clearMessages();
    const result = await remove({ input: { expectedVersion: version, idempotencyKey: crypto.randomUUID() } });
    const outcome = result.data?.removeVmwareConnection;
    if (!outcome) return `The server could not be reached (${result.error?.message ?? 'no answer'}). Nothing was removed; try again.`;
    if (outcome.__typename === 'RemoveVmwareConnectionPayload') {
      setSaved(null);
      setValues(valuesOf(null));
      setProblems({});
      setTest(null);
      setDone('Connection removed.');
      return null;
    }
    setRemoving(false);
    if (outcome.__typename === 'ConcurrencyError' || outcome.__typename === 'NotFoundError') {
      await reload('The connection was changed or removed meanwhile, so nothing was removed.');
    } else say(outcome.message);
    return null;
  }

  const field = (name: Exclude<VcenterField, 'templates' | 'insecure'>, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField
      id={fieldId(name)}
      label={label}
      value={values[name]}
      onChange={(value) => set(name, value)}
      error={problems[name]}
      {...extra}
    />
  );

  return (
    <form className="vcenter-form" noValidate onSubmit={(event) => void onSave(event)} aria-describedby={`${id}-about`}>
      <p id={`${id}-about`} className="hint">
        {saved ? (
          <>
            Saved by {saved.updatedBy} <DateTime iso={saved.updatedAt} /> (version {saved.version}). New provisioning uses it at once.
          </>
        ) : (
          'No connection is saved: approved requests cannot reach a vCenter until one is.'
        )}
      </p>
      <div ref={alertRef} role="alert" tabIndex={-1} className={alert ? 'form-alert' : undefined} data-form-alert>
        {alert}
      </div>

      <fieldset className="card">
        <legend>vCenter</legend>
        {field('url', 'SDK URL', { type: 'url', required: true, placeholder: 'https://vcenter.example.com/sdk', hint: 'The vim25 endpoint, https only.' })}
        {field('username', 'User', { required: true, autoComplete: 'off' })}
        {field('password', 'Password', {
          type: 'password',
          autoComplete: 'new-password',
          required: !saved?.passwordSet,
          hint: saved?.passwordSet ? (
            <>
              <span data-password-set>A password is set.</span> Leave empty to keep it; it is never shown.
            </>
          ) : (
            'Stored encrypted; never shown again.'
          ),
        })}
      </fieldset>

      <fieldset className="card">
        <legend>Placement</legend>
        {field('datacenter', 'Datacenter', { required: true })}
        <div className="field-pair">
          {field('cluster', 'Cluster', { hint: 'A cluster or a resource pool is required.' })}
          {field('resourcePool', 'Resource pool', { hint: 'By inventory path, e.g. /DC0/host/DC0_C0/Resources/dev.' })}
        </div>
        {field('datastore', 'Datastore', { required: true })}
        {field('folder', 'VM folder', { hint: "Relative to the datacenter's VM folder; empty: that folder." })}
        {field('network', 'Network', { required: true, hint: "The port group of the VM's first network card." })}
      </fieldset>

      <fieldset className="card" aria-describedby={`${id}-templates-hint${problems.templates ? ` ${id}-templates-error` : ''}`}>
        <legend>Templates</legend>
        <p id={`${id}-templates-hint`} className="hint">
          A template per size, by inventory name; sizes left empty use the default template.
        </p>
        <div className="template-fields">
          {SIZES.map((size) => (
            <TextField
              key={size}
              id={`${id}-template-${size}`}
              label={`Template for size ${size}`}
              value={values.templates[size]}
              onChange={(value) => set('templates', { ...values.templates, [size]: value })}
              invalidBy={problems.templates ? `${id}-templates-error` : undefined}
            />
          ))}
        </div>
        {problems.templates ? (
          <p id={`${id}-templates-error`} className="error field-error">
            {problems.templates}
          </p>
        ) : null}
        {field('defaultTemplate', 'Default template', { hint: 'Required unless every size has its own.' })}
      </fieldset>

      <fieldset className="card">
        <legend>Guest addresses</legend>
        <div className="check">
          <input id={`${id}-useIpPool`} type="checkbox" checked={values.useIpPool} onChange={(event) => set('useIpPool', event.target.checked)} />
          <label htmlFor={`${id}-useIpPool`}>Fixed addresses from an IP pool (otherwise DHCP)</label>
        </div>
        {values.useIpPool ? (
          <div className="pool-fields">
            {field('cidr', 'Pool (CIDR)', { required: true, placeholder: '10.20.0.0/24', hint: '/29 or larger.' })}
            {field('gateway', 'Gateway', { required: true, placeholder: '10.20.0.1' })}
            {field('dnsServers', 'DNS servers', { hint: 'Up to 4 IPv4 addresses, separated by commas.' })}
            {field('dnsDomain', 'DNS domain', { placeholder: 'corp.example.com' })}
          </div>
        ) : null}
      </fieldset>

      <fieldset className="card">
        <legend>Certificate</legend>
        {field('caPem', 'CA certificate (PEM)', {
          rows: 6,
          placeholder: '-----BEGIN CERTIFICATE-----',
          hint: "The CA the vCenter's certificate must chain to; empty: the system's CAs.",
        })}
        <div className="check">
          <input
            id={fieldId('insecure')}
            type="checkbox"
            checked={values.insecure}
            onChange={(event) => set('insecure', event.target.checked)}
            aria-invalid={problems.insecure ? true : undefined}
            aria-describedby={`${fieldId('insecure')}-hint${problems.insecure ? ` ${fieldId('insecure')}-error` : ''}`}
          />
          <label htmlFor={fieldId('insecure')}>Skip certificate verification</label>
        </div>
        <p id={`${fieldId('insecure')}-hint`} className="hint">
          For a lab with a self-signed certificate only; refused in production (give the CA instead).
        </p>
        {problems.insecure ? (
          <p id={`${fieldId('insecure')}-error`} className="error field-error">
            {problems.insecure}
          </p>
        ) : null}
      </fieldset>

      <div className="test-result" role="status" data-test-result={test ? (test.ok ? 'ok' : 'failed') : undefined}>
        {testing ? 'Testing the connection…' : null}
        {test?.ok ? (
          <p className="ok">
            ✓ Connection works: signed in and found every object ({test.durationMs} ms).
          </p>
        ) : null}
        {test && !test.ok ? (
          <p className="error">
            ✗ Connection failed
            {test.code ? (
              <>
                : <code>{test.code}</code>.
              </>
            ) : (
              ':'
            )}{' '}
            {test.message} ({test.durationMs} ms)
          </p>
        ) : null}
      </div>
      <p role="status" className="done">
        {done}
      </p>
      <div className="inline-actions">
        <button type="button" className="button-secondary" disabled={testing} onClick={() => void onTest()}>
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        {saved ? (
          <button ref={removeRef} type="button" className="button-danger" onClick={() => setRemoving(true)}>
            Remove…
          </button>
        ) : null}
      </div>
      {removing ? (
        <RemoveConnectionDialog
          onRemove={onRemove}
          onClose={(removed) => {
            setRemoving(false);
            if (removed || !removeRef.current) document.querySelector<HTMLElement>('main h1')?.focus();
            else removeRef.current.focus();
          }}
        />
      ) : null}
    </form>
  );
}
