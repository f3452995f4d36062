import { useEffect, useState } from 'react';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TextField } from '../../components/Field';
import { useAction } from '../../lib/use-action';
import { useLiveQuery } from '../../lib/use-live-query';
import { useActor } from '../models/use-actor';
import { webhookError } from './webhook-url';

/** The webhook every firing alert is POSTed to (JSON), and the last error sending to it. */
export function WebhookSettings() {
  const client = useClient();
  const actor = useActor();
  const settings = useLiveQuery((c) => c.call('monitoring.getAlertSettings', {}), [], { staleOn: { 'monitoring.alert': true } });
  const save = useAction();
  const [url, setUrl] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [saved, setSaved] = useState(false);
  const stored = settings.data?.webhookUrl ?? null;
  useEffect(() => setUrl(stored ?? ''), [stored]);
  const error = webhookError(url);

  const submit = (value: string | null) => {
    setAttempted(true);
    setSaved(false);
    if (value !== null && error) return;
    void save.run(async () => {
      const next = await client.call('monitoring.updateAlertSettings', { webhookUrl: value, actor });
      settings.setData(() => next);
      setSaved(true);
    });
  };

  return (
    <Card title="Webhook" testId="webhook-settings" className="deploy-span-2">
      <p className="small muted">Each firing alert is also sent as a JSON POST to this URL (a chat or paging service’s incoming webhook).</p>
      {settings.error && <ErrorNotice title="Could not read the webhook setting." error={settings.error} onRetry={() => void settings.reload()} />}
      <form
        className="inline-form webhook-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit(url.trim() === '' ? null : url.trim());
        }}
      >
        <TextField label="Webhook URL" value={url} onChange={(v) => { setUrl(v); setSaved(false); save.clearError(); }} error={attempted ? (error ?? undefined) : undefined} hint="http(s); empty: no webhook" mono testId="webhook-url" input={{ placeholder: 'https://hooks.example.com/…' }} />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.busy} data-testid="webhook-save">
            {save.busy ? 'Saving…' : 'Save'}
          </button>
          {stored !== null && (
            <button type="button" className="btn" disabled={save.busy} onClick={() => submit(null)} data-testid="webhook-clear">
              Remove webhook
            </button>
          )}
          {saved && <span className="small muted" data-testid="webhook-saved">Saved.</span>}
        </div>
      </form>
      {save.error && <ErrorNotice title="Could not save the webhook." error={save.error} />}
      {settings.data?.lastWebhookError && (
        <p className="notice notice-error small" data-testid="webhook-last-error">
          Last delivery failed: {settings.data.lastWebhookError}
        </p>
      )}
    </Card>
  );
}
