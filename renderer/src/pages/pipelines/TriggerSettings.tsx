import { useState } from 'react';
import type { TriggerView } from '../../../../shared/contract/pipelines';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDuration } from '../../lib/format';
import { useLiveQuery } from '../../lib/use-live-query';
import { toLoadError, type LoadError } from '../../stores/load-error';
import { AddTriggerForm } from './AddTriggerForm';
import { relativeTime } from './pipeline-format';
import { pipelinesStale } from './pipelines-stale';

const kindLabel: Record<TriggerView['kind'], string> = { cron: 'schedule', dataset: 'dataset change', commit: 'new commit', alert: 'monitoring alert' };

/** What starts a pipeline by itself: the triggers written in its file and those added here or from the command line. */
export function TriggerSettings({ file, now }: { file: string; now: number }) {
  const client = useClient();
  const triggers = useLiveQuery((c) => c.call('pipelines.listTriggers', { file }), [file], { staleOn: pipelinesStale(file) });
  const [removing, setRemoving] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<LoadError | null>(null);

  const remove = async (trigger: TriggerView) => {
    setRemoving(trigger.triggerId);
    setRemoveError(null);
    try {
      await client.call('pipelines.deleteTrigger', { triggerId: trigger.triggerId });
      triggers.setData((list) => list.filter((t) => t.triggerId !== trigger.triggerId));
    } catch (err) {
      setRemoveError(toLoadError(err));
    } finally {
      setRemoving(null);
    }
  };

  const list = triggers.data;
  return (
    <Card title="Triggers" testId="pipeline-triggers" className="card-wide">
      {triggers.error && <ErrorNotice title="Could not read the triggers." error={triggers.error} onRetry={() => void triggers.reload()} />}
      {removeError && <ErrorNotice title="Could not remove the trigger." error={removeError} />}
      {list && list.length === 0 && <p className="muted">Runs only when started (here or with orrery pipeline run).</p>}
      {list && list.length > 0 && (
        <table className="exp-table triggers-table">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Target</th>
              <th scope="col">Source</th>
              <th scope="col">Next</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((t) => (
              <tr key={t.triggerId} data-testid="trigger-row" data-kind={t.kind} data-source={t.source}>
                <td>{kindLabel[t.kind]}</td>
                <td className="wrap">
                  <code>{t.target}</code>
                  {t.problem && (
                    <div className="pipeline-problem" data-testid="trigger-problem">
                      {t.problem}
                    </div>
                  )}
                </td>
                <td className="muted">{t.source === 'file' ? 'in the file' : 'added'}</td>
                <td title={t.nextAt === null ? undefined : new Date(t.nextAt).toLocaleString()}>{t.nextAt === null ? '—' : relativeTime(t.nextAt, now, formatDuration)}</td>
                <td className="row-actions">
                  {t.source === 'user' ? (
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      disabled={removing === t.triggerId}
                      onClick={() => void remove(t)}
                      aria-label={`Remove the ${kindLabel[t.kind]} trigger ${t.target}`}
                      data-testid="remove-trigger"
                    >
                      Remove
                    </button>
                  ) : (
                    <span className="muted small" title="Written in the pipeline file: remove it there.">
                      edit the file
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddTriggerForm file={file} onAdded={(added) => triggers.setData((current) => [...current.filter((t) => t.triggerId !== added.triggerId), added])} />
    </Card>
  );
}
