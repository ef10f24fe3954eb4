import type { ReactNode } from 'react';

export interface TextFieldProps {
  /** The input's id; its hint and error are `${id}-hint`, `${id}-error`. */
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
  error?: string | undefined;
  /** Invalid because of an error shown elsewhere (a group's), with that error's id to describe it. */
  invalidBy?: string | undefined;
  type?: 'text' | 'url' | 'password';
  autoComplete?: string;
  required?: boolean;
  /** A textarea of this many rows. */
  rows?: number;
  placeholder?: string;
}

/** A labelled input with its hint and its error attached (aria-describedby), invalid while it has an error. */
export function TextField(props: TextFieldProps) {
  const { id, label, value, onChange, hint, error, invalidBy, type = 'text', autoComplete = 'off', required, rows, placeholder } = props;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null, invalidBy ?? null].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    value,
    placeholder,
    'aria-invalid': error || invalidBy ? true : undefined,
    'aria-describedby': described,
    'aria-required': required ? true : undefined,
  } as const;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? null : <span className="optional"> (optional)</span>}
      </label>
      {rows ? (
        <textarea {...common} rows={rows} spellCheck={false} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input {...common} type={type} autoComplete={autoComplete} spellCheck={false} onChange={(event) => onChange(event.target.value)} />
      )}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="error field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
