import { Field } from '../../components/Field';
import type { FieldErrors } from './launch-form';
import { DEFAULT_WORKSPACE_TARGET, type WorkspaceForm } from './spec-extras';

interface Props {
  value: WorkspaceForm;
  errors: FieldErrors;
  /** `key`: the field that changed ('workspace.source', 'workspace.target', 'workingDir'). */
  onChange(next: WorkspaceForm, key: string): void;
  /** The host folder lost focus: check it on the host. */
  onSourceBlur(): void;
}

/** Your project on the host, mounted into the job, with the working directory inside it. */
export function WorkspaceFields({ value, errors, onChange, onSourceBlur }: Props) {
  const set = (patch: Partial<WorkspaceForm>, key: string) => onChange({ ...value, ...patch }, key);
  const target = value.target.trim() || DEFAULT_WORKSPACE_TARGET;
  const hasSource = value.source.trim() !== '';
  return (
    <div className="workspace-fields" data-testid="workspace-fields">
      <Field
        label="Workspace folder (host)"
        error={errors['workspace.source']}
        hint={hasSource ? `mounted at ${target}${value.writable ? ', writable' : ', read-only'}` : 'the folder holding your code; empty to run only what the image has'}
        testId="field-workspace"
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            className="mono"
            placeholder="/home/you/project"
            spellCheck={false}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            value={value.source}
            onChange={(e) => set({ source: e.target.value }, 'workspace.source')}
            onBlur={onSourceBlur}
          />
        )}
      </Field>
      <div className="field-grid">
        <Field label="Mounted at" error={errors['workspace.target']} hint="inside the container" testId="field-workspace-target">
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              className="mono"
              placeholder={DEFAULT_WORKSPACE_TARGET}
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              value={value.target}
              onChange={(e) => set({ target: e.target.value }, 'workspace.target')}
            />
          )}
        </Field>
        <Field
          label="Working directory"
          error={errors.workingDir}
          hint={hasSource ? `defaults to ${target}` : "defaults to the image's own"}
          testId="field-workdir"
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              className="mono"
              placeholder={hasSource ? target : ''}
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              value={value.workingDir}
              onChange={(e) => set({ workingDir: e.target.value }, 'workingDir')}
            />
          )}
        </Field>
      </div>
      <label className="inline-check">
        <input type="checkbox" checked={value.writable} onChange={(e) => set({ writable: e.target.checked }, 'workspace.writable')} /> Writable{' '}
        <span className="muted">let the job change files in the folder (read-only otherwise)</span>
      </label>
    </div>
  );
}
