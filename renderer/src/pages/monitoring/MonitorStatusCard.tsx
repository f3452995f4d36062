import { useState } from 'react';
import type { MonitorView, ReferenceSource } from '../../../../shared/contract/monitoring';
import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Facts } from '../../components/Facts';
import { useAction } from '../../lib/use-action';
import { plural } from '../deployments/serving-format';
import { ReferenceColumns } from './ReferenceColumns';
import { WindowSettingsForm } from './WindowSettingsForm';
import { formatShare } from './monitoring-format';
import { monitorStateTone } from './monitoring-tones';

export function describeSource(source: ReferenceSource): string {
  switch (source.kind) {
    case 'file':
      return source.path;
    case 'run-artifact':
      return `artifact ${source.path} of run ${source.runId}`;
    case 'run-dataset':
      return `dataset ${source.name ? `${source.name} ` : ''}of run ${source.runId}`;
    case 'requests':
      return `the first ${source.count.toLocaleString('en')} logged rows`;
  }
}

export function describeWindows(settings: Pick<MonitorView['settings'], 'windowRequests' | 'windowMinutes'>): string {
  const parts = [settings.windowRequests !== null ? `every ${settings.windowRequests.toLocaleString('en')} rows` : null, settings.windowMinutes !== null ? `every ${plural(settings.windowMinutes, 'minute')}` : null].filter(Boolean);
  return parts.length === 0 ? 'only when checked' : parts.join(' or ');
}

/** The monitor's state, its reference, how windows close (editable) and "Check now". */
export function MonitorStatusCard({ monitor, onChanged, onChangeReference }: { monitor: MonitorView; onChanged(next: MonitorView): void; onChangeReference(): void }) {
  const client = useClient();
  const check = useAction();
  const [editing, setEditing] = useState(false);
  const [checked, setChecked] = useState<string | null>(null);
  const m = monitor;
  const source = m.source;
  const state =
    m.state === 'collecting' && source.kind === 'requests'
      ? `collecting ${m.collected.toLocaleString('en')} / ${source.count.toLocaleString('en')} rows`
      : m.state;

  const checkNow = () =>
    void check.run(async () => {
      setChecked(null);
      const window = await client.call('monitoring.checkMonitor', { deployment: m.deployment });
      setChecked(window === null ? 'No row was logged since the last window: nothing to check.' : `Window ${window.seq} checked: ${window.datasetDrift === null ? 'not enough data' : window.datasetDrift ? 'dataset drift' : 'no dataset drift'}.`);
    });

  return (
    <Card
      title="Monitoring"
      testId="monitor-status"
      className="deploy-span-all"
      aside={
        <span className="row-actions">
          <button type="button" className="btn btn-small" onClick={onChangeReference} data-testid="monitor-change-reference" title="Choose another reference: windows start again">
            Change reference…
          </button>
          <button type="button" className="btn btn-small" disabled={check.busy || m.state !== 'watching'} onClick={checkNow} data-testid="monitor-check-now" title="Close the current window now and check it">
            {check.busy ? 'Checking…' : 'Check now'}
          </button>
        </span>
      }
    >
      <p>
        <Badge tone={monitorStateTone[m.state]} testId="monitor-state">
          {state}
        </Badge>{' '}
        {m.state === 'watching' && <span className="small muted">{plural(m.pendingRows, 'row')} logged since the last window</span>}
      </p>
      {m.reason && <p className={`notice ${m.state === 'failed' ? 'notice-error' : 'notice-warn'}`}>{m.reason}</p>}
      {checked && (
        <p className="small" data-testid="monitor-check-result">
          {checked}
        </p>
      )}
      {check.error && <ErrorNotice title="Could not check the window." error={check.error} />}
      <Facts
        rows={[
          ['Reference', describeSource(source), 'monitor-source'],
          ['Profile', m.reference ? `${m.reference.rows.toLocaleString('en')} rows × ${plural(m.reference.columns.length, 'column')}, ${m.reference.form === 'exact' ? 'kept exactly' : 'sketched (results carry an error bound)'}` : 'not read yet', 'monitor-reference'],
          ['Windows', editing ? 'editing…' : `${describeWindows(m.settings)} · dataset drift at ${formatShare(m.settings.driftShare)} of columns · at least ${plural(m.settings.minRows, 'row')} for a verdict`, 'monitor-windows'],
          ['Prediction column', <code>{m.settings.predictionColumn}</code>],
        ]}
      />
      {editing ? (
        <WindowSettingsForm
          monitor={m}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            onChanged(next);
            setEditing(false);
          }}
        />
      ) : (
        <div className="actions">
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)} data-testid="monitor-edit-windows">
            Edit windows
          </button>
        </div>
      )}
      {m.reference && <ReferenceColumns columns={m.reference.columns} />}
    </Card>
  );
}
