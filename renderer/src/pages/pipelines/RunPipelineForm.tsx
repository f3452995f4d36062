import { useState, type FormEvent } from 'react';
import { useClient } from '../../api/client-context';
import { Field } from '../../components/Field';
import { useAction } from '../../lib/use-action';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';

/**
 * "Run a pipeline file…": a path on this machine and a Run button. Running the file is the
 * consent to mount its folder for its stages; the app's refusal (line and field of an invalid
 * file) is shown as it comes.
 */
export function RunPipelineForm({ initialFile = '' }: { initialFile?: string }) {
  const client = useClient();
  const [file, setFile] = useState(initialFile);
  const [processRunner, setProcessRunner] = useState(false);
  const { busy, error, run, clearError } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const started = await client.call('pipelines.startRun', { file: file.trim(), ...(processRunner ? { runner: 'process' as const } : {}) });
      navigate(routeHref('pipeline-runs', [started.runId]));
    });
  };

  return (
    <form className="inline-form run-pipeline-form" onSubmit={submit} data-testid="run-pipeline-form">
      <Field
        label="Pipeline file"
        error={error?.message}
        hint="An orrery.pipeline.yaml or a dvc.yaml on this machine; its folder becomes the workspace of its stages."
        testId="run-pipeline-file"
      >
        {({ id, describedBy, invalid }) => (
          <div className="run-pipeline-row">
            <input
              id={id}
              className="mono"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              placeholder="/home/me/project/dvc.yaml"
              value={file}
              onChange={(e) => (setFile(e.target.value), clearError())}
            />
            <button type="submit" className="btn btn-primary" disabled={busy || file.trim() === ''} data-testid="run-pipeline-submit">
              {busy ? 'Starting…' : 'Run'}
            </button>
          </div>
        )}
      </Field>
      <label className="inline-check">
        <input type="checkbox" checked={processRunner} onChange={(e) => setProcessRunner(e.target.checked)} data-testid="run-pipeline-process" />
        Run stages as plain processes (no container)
      </label>
    </form>
  );
}
