import { useMemo, useState } from 'react';
import type { MonitorView } from '../../../../shared/contract/monitoring';
import { useClient } from '../../api/client-context';
import { TextField } from '../../components/Field';
import { toLoadError } from '../../stores/load-error';
import { useActor } from '../models/use-actor';
import { fieldOfReferenceError, parseWindowFields, windowFormOf, type ReferenceErrors } from './reference-form';

/** Editing how windows close and the drift share; later windows use the new values. */
export function WindowSettingsForm({ monitor, onSaved, onCancel }: { monitor: MonitorView; onSaved(next: MonitorView): void; onCancel(): void }) {
  const client = useClient();
  const actor = useActor();
  const [form, setForm] = useState(() => windowFormOf(monitor.settings));
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<{ field: keyof ReferenceErrors; message: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const { errors, values } = useMemo(() => parseWindowFields(form), [form]);
  const shown: ReferenceErrors = attempted ? { ...errors } : {};
  if (server) shown[server.field] = server.message;
  const update = (patch: Partial<typeof form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setServer(null);
  };

  async function submit() {
    setAttempted(true);
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    try {
      onSaved(await client.call('monitoring.updateMonitor', { deployment: monitor.deployment, ...values, actor }));
    } catch (err) {
      const { message } = toLoadError(err);
      setServer({ field: fieldOfReferenceError(message, 'file'), message });
    } finally {
      setSaving(false);
    }
  }

  return (
    <form
      className="inline-form window-settings-form"
      data-testid="window-settings-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="field-grid">
        <TextField label="Rows per window" value={form.windowRequests} onChange={(v) => update({ windowRequests: v })} error={shown.windowRequests} hint="empty: by time only" testId="window-requests" />
        <TextField label="Minutes per window" value={form.windowMinutes} onChange={(v) => update({ windowMinutes: v })} error={shown.windowMinutes} hint="empty: by rows only" testId="window-minutes" />
        <TextField label="Drift share" value={form.driftShare} onChange={(v) => update({ driftShare: v })} error={shown.driftShare} hint="0–1" testId="window-drift-share" />
      </div>
      {(shown.form || shown.path) && (
        <p className="field-error" role="alert">
          {shown.form ?? shown.path}
        </p>
      )}
      <div className="actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="window-settings-save">
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
