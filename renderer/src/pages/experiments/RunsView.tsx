import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useClient } from '../../api/client-context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import type { RunColumn } from './columns';
import { groupRuns } from './grouping';
import { RunsGrid } from './RunsGrid';
import { followRuns } from './runs-live';
import { createRunsStore, type RunsState, type RunsStore } from './runs-store';
import { RunsToolbar } from './RunsToolbar';
import { readSavedColumns, saveColumns } from './saved-columns';
import { defaultColumns, NO_SWEEP, sameColumns, sweepColumnsOf, type SweepColumns } from './sweep-columns';
import { tableLayout } from './table-layout';

/** The runs of one experiment: a windowed table over server-side filter, sort and paging. */
export function RunsView({ experimentId }: { experimentId: string }) {
  const client = useClient();
  const [saved] = useState(() => readSavedColumns(experimentId));
  const [store] = useState<RunsStore>(() => createRunsStore(client, experimentId, saved ?? []));
  const use = <T,>(selector: (s: RunsState) => T): T => useStore(store, selector);
  const runs = use((s) => s.runs);
  const total = use((s) => s.total);
  const loading = use((s) => s.loading);
  const error = use((s) => s.error);
  const actionError = use((s) => s.actionError);
  const filterError = use((s) => s.filterError);
  const appliedFilter = use((s) => s.filter);
  const sort = use((s) => s.sort);
  const columns = use((s) => s.columns);
  const available = use((s) => s.available);
  const showDeleted = use((s) => s.showDeleted);
  const selected = use((s) => s.selected);
  const collapsed = use((s) => s.collapsed);
  const nextPageToken = use((s) => s.nextPageToken);
  const pendingDelete = use((s) => s.pendingDelete);

  const [defaulted, setDefaulted] = useState(saved !== null);

  // First load, then live updates for as long as the view is open.
  useEffect(() => {
    void store.getState().load();
    return followRuns(client, store, experimentId);
  }, [client, store, experimentId]);

  // A sweep's swept params and objective, for the default columns (not needed once the user has picked some).
  const [swept, setSwept] = useState<SweepColumns | null>(saved !== null ? NO_SWEEP : null);
  useEffect(() => {
    if (saved !== null) return;
    let current = true;
    void sweepColumnsOf(client, experimentId).then((found) => current && setSwept(found));
    return () => {
      current = false;
    };
  }, [client, experimentId, saved]);

  // The experiment's name for the heading; the id stands in when it cannot be read. Asked after the
  // runs (effects run in order): the server answers in turn, and its run count and last activity
  // take a while to read in a large experiment, so the rows come first.
  const experiment = useLiveQuery((c) => c.call('tracking.getExperiment', { experimentId }), [experimentId], {
    staleOn: { 'tracking.experiment': (e) => e.experimentId === experimentId },
  });
  const experimentName = experiment.data?.name ?? (experiment.error ? `Experiment ${experimentId}` : null);

  // Until the user picks columns, show the swept params, the objective and the first few metrics. Metrics come
  // with the first logged value: until then the params show, and the default is not settled.
  useEffect(() => {
    if (defaulted || swept === null) return;
    const next = defaultColumns(available.metrics, swept);
    if (next.length === 0) return;
    if (available.metrics.length > 0) setDefaulted(true);
    if (!sameColumns(next, store.getState().columns)) void store.getState().setColumns(next);
  }, [available, swept, defaulted, store]);

  const setColumns = (next: RunColumn[]) => {
    setDefaulted(true);
    saveColumns(experimentId, next);
    void store.getState().setColumns(next);
  };

  const rows = useMemo(() => groupRuns(runs, collapsed), [runs, collapsed]);
  const { allColumns, template, width } = useMemo(() => tableLayout(columns), [columns]);

  return (
    <div className="page runs-page">
      <header className="page-head">
        <h1>
          <a className="crumb" href={routeHref('experiments')}>
            Experiments
          </a>{' '}
          / <span data-testid="experiment-name">{experimentName ?? '…'}</span>
        </h1>
        <span className="muted" data-testid="runs-total">
          {filterError
            ? 'filter not valid'
            : `${runs.length < total ? `${runs.length} of ${total} runs loaded` : `${total} ${total === 1 ? 'run' : 'runs'}`}${appliedFilter ? ' matching the filter' : ''}`}
        </span>
      </header>

      <RunsToolbar
        store={store}
        filterError={filterError}
        available={available}
        columns={columns}
        showDeleted={showDeleted}
        selected={selected}
        onColumns={setColumns}
      />

      {error && <ErrorNotice title="Could not load the runs." error={error} onRetry={() => void store.getState().reload()} />}
      {actionError && <ErrorNotice title="That did not work." error={actionError} />}
      {pendingDelete && (
        <ConfirmDialog
          title="Delete this run?"
          testId="confirm-delete-run"
          confirm={{ label: 'Delete run', busyLabel: 'Deleting…' }}
          onConfirm={() => store.getState().remove(pendingDelete.runId)}
          onClose={() => store.getState().askDelete(null)}
        >
          <p>
            <strong>{pendingDelete.name || pendingDelete.runId}</strong> leaves this table, with its metrics, params and artifacts kept.
          </p>
          <p className="muted">It can be restored: tick “Show deleted” above the table, then Restore on its row.</p>
        </ConfirmDialog>
      )}

      <RunsGrid
        store={store}
        rows={rows}
        allColumns={allColumns}
        template={template}
        width={width}
        loading={loading}
        hasMore={nextPageToken !== null}
        empty={!loading && runs.length === 0}
        emptyText={filterError ? 'Fix the filter above (or press Esc to clear it) to see runs.' : appliedFilter ? 'No runs match this filter.' : 'No runs in this experiment yet.'}
        sortColumn={sort?.column ?? null}
        sortDirection={sort?.direction ?? null}
        selected={selected}
        queryKey={JSON.stringify([appliedFilter, sort ?? null, showDeleted])}
      />
    </div>
  );
}
