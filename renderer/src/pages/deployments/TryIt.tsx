import { useState } from 'react';
import type { Deployment, InvokeResult } from '../../../../shared/contract/serving';
import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { formatMs } from './serving-format';
import { bodyError, prettyBody } from './try-it-example';

/** Sends one JSON body through the deployment's gateway (serving.invoke), optionally pinned to a version, and shows the answer. */
export function TryIt({ deployment, example }: { deployment: Deployment; example: string | null }) {
  const client = useClient();
  const action = useAction();
  const [body, setBody] = useState<string | null>(null);
  const [version, setVersion] = useState('');
  const [result, setResult] = useState<InvokeResult | null>(null);
  const [attempted, setAttempted] = useState(false);

  // The example fills the box until the user types.
  const text = body ?? example ?? '';
  const error = attempted ? bodyError(text) : null;

  async function send() {
    setAttempted(true);
    // A body that will not be sent leaves no older answer on screen to be mistaken for its own.
    if (bodyError(text)) {
      setResult(null);
      action.clearError();
      return;
    }
    await action.run(async () => {
      setResult(await client.call('serving.invoke', { name: deployment.name, body: text, contentType: 'application/json', ...(version ? { version: Number(version) } : {}) }));
    });
  }

  const tone = result === null ? 'neutral' : result.status < 300 ? 'ok' : result.status < 500 ? 'warn' : 'bad';
  return (
    <Card title="Try it" testId="try-it" className="deploy-span-2">
      <form
        className="try-it"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <div className="try-it-input">
          <Field label="JSON body" error={error ?? undefined} hint="MLflow's scoring protocol: dataframe_split, dataframe_records, instances or inputs." testId="try-body">
            {({ id, describedBy, invalid }) => (
              <textarea id={id} className="mono" rows={8} spellCheck={false} aria-describedby={describedBy} aria-invalid={invalid} value={text} onChange={(e) => (setBody(e.target.value), action.clearError())} />
            )}
          </Field>
          <div className="try-it-row">
            <Field label="Version" testId="try-version" hint="Any: the traffic weights choose.">
              {({ id, describedBy }) => (
                <select id={id} aria-describedby={describedBy} value={version} onChange={(e) => setVersion(e.target.value)}>
                  <option value="">any</option>
                  {deployment.versions.map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version} ({v.role})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" className="btn btn-primary" disabled={action.busy || deployment.status === 'stopped'} data-testid="try-send">
              {action.busy ? 'Sending…' : 'Send'}
            </button>
          </div>
        </div>
        <div className="try-it-output" data-testid="try-result" aria-live="polite">
          {action.error && <ErrorNotice title="The request was not sent." error={action.error} />}
          {result === null && !action.error && <p className="muted">{error ? 'Not sent: the body above is not valid.' : 'The answer appears here.'}</p>}
          {result !== null && (
            <>
              <div className="try-it-meta">
                <Badge tone={tone} testId="try-status">
                  {result.status}
                </Badge>
                <span data-testid="try-answered-by">{result.version === null ? 'no version answered' : `answered by v${result.version}`}</span>
                <span className="muted">{formatMs(result.latencyMs)}</span>
                {result.requestId && <span className="muted mono small">{result.requestId}</span>}
              </div>
              <pre className="plain-output try-it-body" data-testid="try-body-out">
                {prettyBody(result.body)}
              </pre>
            </>
          )}
        </div>
      </form>
    </Card>
  );
}
