import { useEffect, useState, type FormEvent } from 'react';
import { useClient } from '../../api/client-context';
import type { Experiment } from '../../../../shared/contract/tracking';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyableCode } from '../../components/CopyableCode';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { toLoadError, type LoadError } from '../../stores/load-error';
import { formatRelative } from './columns';

/** Every experiment, newest activity first, with an inline "new experiment" form. */
export function ExperimentList() {
  const client = useClient();
  // New runs change counts and activity: re-read, at most every half second.
  const [showDeleted, setShowDeleted] = useState(false);
  const { data: experiments, error, reload, setData: setExperiments } = useLiveQuery(
    (c) => c.call('tracking.searchExperiments', { lifecycle: showDeleted ? 'all' : 'active' }),
    [showDeleted],
    { staleOn: { 'tracking.run': true, 'tracking.experiment': true }, debounceMs: 500 },
  );
  const [pendingDelete, setPendingDelete] = useState<Experiment | null>(null);
  const [restoreError, setRestoreError] = useState<LoadError | null>(null);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  // "Last activity" is relative: to the latest answer, and moving on while the page stays open.
  useEffect(() => setNow(Date.now()), [experiments]);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(tick);
  }, []);

  async function create(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return;
    setCreating(true);
    setCreateError(null);
    try {
      const created = await client.call('tracking.createExperiment', { name: name.trim() });
      setName('');
      setExperiments((list) => [created, ...list.filter((e) => e.experimentId !== created.experimentId)]);
    } catch (err) {
      setCreateError(toLoadError(err).message);
    } finally {
      setCreating(false);
    }
  }

  async function restore(experiment: Experiment) {
    setRestoreError(null);
    try {
      const restored = await client.call('tracking.restoreExperiment', { experimentId: experiment.experimentId });
      setExperiments((list) => list.map((e) => (e.experimentId === restored.experimentId ? restored : e)));
    } catch (err) {
      setRestoreError(toLoadError(err));
    }
  }

  return (
    <div className="page">
      <header className="page-head">
        <h1>Experiments</h1>
        {experiments && <span className="muted">{experiments.length}</span>}
      </header>
      <form className="exp-create" onSubmit={(e) => void create(e)}>
        <input
          className="input"
          aria-label="New experiment name"
          placeholder="New experiment name"
          value={name}
          maxLength={500}
          onChange={(e) => setName(e.target.value)}
          data-testid="new-experiment-name"
        />
        <button type="submit" className="btn" disabled={creating || !name.trim()}>
          {creating ? 'Creating…' : 'Create experiment'}
        </button>
        {createError && (
          <span className="field-error" role="alert">
            {createError}
          </span>
        )}
      </form>
      <label className="toggle exp-show-deleted">
        <input type="checkbox" checked={showDeleted} onChange={(e) => setShowDeleted(e.target.checked)} data-testid="show-deleted-experiments" />
        Show deleted
      </label>
      {error && <ErrorNotice title="Could not list experiments." error={error} onRetry={() => void reload()} />}
      {restoreError && <ErrorNotice title="Could not restore the experiment." error={restoreError} />}
      {pendingDelete && (
        <ConfirmDialog
          title="Delete this experiment?"
          testId="confirm-delete-experiment"
          confirm={{ label: 'Delete experiment', busyLabel: 'Deleting…' }}
          onConfirm={async () => {
            const deleted = await client.call('tracking.deleteExperiment', { experimentId: pendingDelete.experimentId });
            setExperiments((list) => (showDeleted ? list.map((e) => (e.experimentId === deleted.experimentId ? deleted : e)) : list.filter((e) => e.experimentId !== deleted.experimentId)));
          }}
          onClose={() => setPendingDelete(null)}
        >
          <p>
            <strong>{pendingDelete.name}</strong>
            {pendingDelete.runCount === 0 ? ' leaves' : ` and its ${pendingDelete.runCount} ${pendingDelete.runCount === 1 ? 'run' : 'runs'} leave`} this list; nothing is erased.
          </p>
          <p className="muted">It can be restored: tick “Show deleted” above the list, then Restore on its row.</p>
        </ConfirmDialog>
      )}
      {!experiments && !error && <p className="muted">Loading experiments…</p>}
      {/* MLflow always has experiment 0, "Default": a newcomer is someone with no runs anywhere. */}
      {experiments && experiments.every((e) => e.runCount === 0) && (
        <EmptyState title={experiments.every((e) => e.experimentId === '0') ? 'No experiments yet' : 'No runs logged yet'} />
      )}
      {experiments && experiments.length > 0 && (
        <table className="exp-table" data-testid="experiment-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="num">
                Runs
              </th>
              <th scope="col">Last activity</th>
              <th scope="col" className="num">
                ID
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((exp) => (
              <tr key={exp.experimentId} data-testid="experiment-row" className={exp.lifecycleStage === 'deleted' ? 'exp-deleted' : undefined}>
                <td>
                  <a href={routeHref('experiments', [exp.experimentId])}>{exp.name}</a>
                  {exp.lifecycleStage === 'deleted' && <span className="muted"> (deleted)</span>}
                </td>
                <td className="num">{exp.runCount}</td>
                <td title={new Date(exp.lastActivity).toLocaleString()}>{formatRelative(exp.lastActivity, now)}</td>
                <td className="num muted mono">{exp.experimentId}</td>
                <td className="exp-actions">
                  {exp.lifecycleStage === 'deleted' ? (
                    <button type="button" className="link-btn" onClick={() => void restore(exp)} aria-label={`Restore ${exp.name}`}>
                      Restore
                    </button>
                  ) : exp.experimentId !== '0' ? (
                    // MLflow's Default experiment (0) cannot be deleted.
                    <button type="button" className="link-btn link-danger" onClick={() => setPendingDelete(exp)} aria-label={`Delete ${exp.name}`}>
                      Delete
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function EmptyState({ title }: { title: string }) {
  const origin = window.location.origin;
  const served = origin.startsWith('http');
  const uri = served ? origin : 'http://127.0.0.1:4780';
  return (
    <div className="empty-state" data-testid="experiments-empty">
      <h2>{title}</h2>
      <p>
        Log one with MLflow: point your training script at this Orrery and run it. Orrery speaks MLflow&apos;s tracking API, so{' '}
        <code>mlflow.start_run()</code>, <code>mlflow.log_param()</code> and <code>mlflow.log_metric()</code> work unchanged.
      </p>
      <CopyableCode
        code={`export MLFLOW_TRACKING_URI=${uri}\nexport MLFLOW_TRACKING_TOKEN=<token>\nexport MLFLOW_EXPERIMENT_NAME=my-experiment\npython train.py`}
      />
      <p className="muted">
        The token is the one <code>npm run serve</code> printed (after <code>#token=</code> in the URL), also kept as <code>&quot;token&quot;</code> in{' '}
        <code>&lt;data-dir&gt;/server.json</code>. Without the mlflow package, <code>resources/python/orrery_tracking.py</code> reads the same variables.
        {!served && ' In the desktop app, use the URL and port shown in server.json.'}
      </p>
      <p className="muted">Or create an empty experiment above and start runs in it.</p>
    </div>
  );
}
