import { useId, type InputHTMLAttributes, type ReactElement, type ReactNode } from 'react';
import '../styles/forms.css';

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  testId?: string;
  className?: string;
  /** Receives the id the input must carry and the id of its description (error or hint). */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactElement;
}

/** A labelled input with its hint, and its error in place of the hint when there is one. */
export function Field({ label, error, hint, testId, className, children }: FieldProps) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ?? hint;
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`} data-testid={testId}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy: note ? noteId : undefined, invalid: Boolean(error) })}
      {error ? (
        <span id={noteId} className="field-error" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {error}
        </span>
      ) : hint ? (
        <span id={noteId} className="field-hint">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

interface TextFieldProps extends Omit<FieldProps, 'children'> {
  value: string;
  onChange: (value: string) => void;
  /** Monospaced: references, URLs, paths. */
  mono?: boolean;
  /** Anything else the input takes (placeholder, autoFocus, disabled…). */
  input?: Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'aria-describedby' | 'aria-invalid'>;
}

/** A Field holding one text input, wired to its label, hint and error. */
export function TextField({ value, onChange, mono, input, ...field }: TextFieldProps) {
  return (
    <Field {...field}>
      {({ id, describedBy, invalid }) => (
        <input
          {...input}
          id={id}
          className={mono ? 'mono' : undefined}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
