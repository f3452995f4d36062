import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { Run, RunStatus } from '../../../../shared/contract/tracking';
import { useClient } from '../../api/client-context';
import { reloadOnResync } from '../../api/resync';
import { Badge, type BadgeTone } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import {
  ATTRIBUTE_COLUMNS,
  cellText,
  columnId,
  columnLabel,
  columnWidth,
  formatDateTime,
  formatDuration,
  parseSavedColumns,
  runDuration,
  sameColumn,
  type RunColumn,
} from './columns';
import { ColumnPicker } from './ColumnPicker';
import { groupRuns, type DisplayRow } from './grouping';
import { isSortable, nextSort } from './order-by';
import { createRunsStore, type RunsState, type RunsStore } from './runs-store';
import { needsMore, rowWindow, scrollToRow } from './windowing';

const ROW_HEIGHT = 32;
const CHECK_WIDTH = 36;
const ACTIONS_WIDTH = 200;
const MAX_COMPARE = 100;
const LIVE_DEBOUNCE_MS = 500;

const STATUS_TONE: Record<RunStatus, BadgeTone> = { RUNNING: 'warn', SCHEDULED: 'neutral', FINISHED: 'ok', FAILED: 'bad', KILLED: 'neutral' };

const storageKey = (experimentId: string) => `orrery.runs.columns.${experimentId}`;

function readSaved(experimentId: string): RunColumn[] | null {
  try {
    return parseSavedColumns(window.localStorage.getItem(storageKey(experimentId)));
  } catch {
    return null;
  }
}

/** The runs of one experiment: a windowed table over server-side filter, sort and paging. */
export function RunsView({ experimentId }: { experimentId: string }) {
  const client = useClient();
  const [saved] = useState(() => readSaved(experimentId));
  const [store] = useState<RunsStore>(() => createRunsStore(client, experimentId, saved ?? []));
  const use = <T,>(selector: (s: RunsState) => T): T => useStore(store, selector);
  const [experimentName, setExperimentName] = useState<string | null>(null);

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

  const [filterText, setFilterText] = useState('');
  const [defaulted, setDefaulted] = useState(saved !== null);

  // First load, and the experiment's name for the heading.
  useEffect(() => {
    void store.getState().load();
    client.call('tracking.searchExperiments', { lifecycle: 'all' }).then(
      (list) => setExperimentName(list.find((e) => e.experimentId === experimentId)?.name ?? `Experiment ${experimentId}`),
      () => setExperimentName(`Experiment ${experimentId}`),
    );
  }, [client, store, experimentId]);

  // Until the user picks columns, show the first few metrics.
  useEffect(() => {
    if (defaulted || available.metrics.length === 0) return;
    setDefaulted(true);
    void store.getState().setColumns(available.metrics.slice(0, 4).map((key) => ({ kind: 'metric', key })));
  }, [available, defaulted, store]);

  // Live updates, batched: changed rows are re-read; new / deleted / restored runs re-read the list.
  useEffect(() => {
    const pending = new Set<string>();
    let reload = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const state = store.getState();
      if (reload) void state.reload();
      else void state.refreshRuns([...pending]);
      reload = false;
      pending.clear();
    };
    const schedule = () => {
      if (timer === null) timer = setTimeout(flush, LIVE_DEBOUNCE_MS);
    };
    const offRun = client.on('tracking.run', (event) => {
      if (event.experimentId !== experimentId) return;
      if (event.change === 'updated') pending.add(event.runId);
      else reload = true;
      schedule();
    });
    const offMetrics = client.on('tracking.metrics', (event) => {
      if (event.experimentId !== experimentId) return;
      pending.add(event.runId);
      schedule();
    });
    // The stream was lost for a while: which runs changed is unknown, so re-read the list.
    const offResync = reloadOnResync(client, () => {
      reload = true;
      schedule();
    });
    return () => {
      offRun();
      offMetrics();
      offResync();
      if (timer !== null) clearTimeout(timer);
    };
  }, [client, store, experimentId]);

  const setColumns = (next: RunColumn[]) => {
    setDefaulted(true);
    try {
      window.localStorage.setItem(storageKey(experimentId), JSON.stringify(next));
    } catch {
      // Storage full or refused: the pick still applies to this view.
    }
    void store.getState().setColumns(next);
  };

  const rows = useMemo(() => groupRuns(runs, collapsed), [runs, collapsed]);
  const allColumns = useMemo(() => [...ATTRIBUTE_COLUMNS, ...columns], [columns]);
  const template = `${CHECK_WIDTH}px ${allColumns.map((c) => `${columnWidth(c)}px`).join(' ')} ${ACTIONS_WIDTH}px`;
  const width = CHECK_WIDTH + ACTIONS_WIDTH + allColumns.reduce((sum, c) => sum + columnWidth(c), 0);

  const selectedIds = [...selected];
  const canCompare = selectedIds.length >= 2 && selectedIds.length <= MAX_COMPARE;

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

      <div className="runs-toolbar">
        <div className="filter-box">
          <input
            className={`input mono${filterError ? ' input-invalid' : ''}`}
            aria-label="Filter runs (MLflow syntax), applied on Enter"
            aria-invalid={filterError ? true : undefined}
            aria-describedby="runs-filter-help"
            placeholder="metrics.acc > 0.9 and params.optimizer = 'adam'   (Enter to apply)"
            value={filterText}
            onChange={(e) => setFilterText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void store.getState().setFilter(filterText);
              if (e.key === 'Escape' && filterText) {
                setFilterText('');
                void store.getState().setFilter('');
              }
            }}
            data-testid="runs-filter"
          />
          {filterError ? (
            <p className="field-error" role="alert" id="runs-filter-help" data-testid="filter-error">
              {filterError}
            </p>
          ) : (
            <p className="field-help muted" id="runs-filter-help">
              MLflow filter syntax: <code>metrics.</code>, <code>params.</code>, <code>tags.</code>, <code>attributes.</code>; <code>and</code>,{' '}
              <code>LIKE</code>, <code>IN</code>. Enter applies, Esc clears.
            </p>
          )}
        </div>
        <ColumnPicker available={available} columns={columns} onChange={setColumns} />
        <label className="toggle">
          <input type="checkbox" checked={showDeleted} onChange={(e) => void store.getState().setShowDeleted(e.target.checked)} data-testid="show-deleted" />
          Show deleted
        </label>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!canCompare}
          title={selectedIds.length > MAX_COMPARE ? `Compare takes at most ${MAX_COMPARE} runs` : 'Select 2 to 100 runs to compare'}
          onClick={() => navigate(`#/compare?runs=${selectedIds.join(',')}`)}
          data-testid="compare-button"
        >
          Compare ({selectedIds.length})
        </button>
        {selectedIds.length > 0 && (
          <button type="button" className="btn btn-small" onClick={() => store.getState().clearSelection()}>
            Clear selection
          </button>
        )}
      </div>

      {error && <ErrorNotice title="Could not load the runs." error={error} onRetry={() => void store.getState().reload()} />}
      {actionError && <ErrorNotice title="That did not work." error={actionError} />}

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
      />
    </div>
  );
}

interface GridProps {
  store: RunsStore;
  rows: DisplayRow<Run>[];
  allColumns: RunColumn[];
  template: string;
  width: number;
  loading: boolean;
  hasMore: boolean;
  empty: boolean;
  emptyText: string;
  sortColumn: RunColumn | null;
  sortDirection: 'ASC' | 'DESC' | null;
  selected: ReadonlySet<string>;
}

type Editing = { runId: string; kind: 'rename' | 'tag' } | null;

function RunsGrid({ store, rows, allColumns, template, width, loading, hasMore, empty, emptyText, sortColumn, sortDirection, selected }: GridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const [focused, setFocused] = useState(0);
  const [editing, setEditing] = useState<Editing>(null);
  const [now, setNow] = useState(() => Date.now());

  useLayoutEffect(() => {
    const node = scrollRef.current;
    if (!node) return;
    const measure = () => setViewport(Math.max(0, node.clientHeight - ROW_HEIGHT)); // less the sticky header
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  // Running runs' durations tick.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);

  const win = rowWindow(scrollTop, viewport, ROW_HEIGHT, rows.length);

  // Fetch the next page as the window nears the end of what is loaded.
  useEffect(() => {
    if (!loading && needsMore(win.end, rows.length, hasMore)) void store.getState().loadMore();
  }, [win.end, rows.length, hasMore, loading, store]);

  const focusedIndex = Math.min(focused, Math.max(0, rows.length - 1));

  const moveFocus = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setFocused(next);
    const node = scrollRef.current;
    if (node) {
      const top = scrollToRow(next, node.scrollTop, viewport, ROW_HEIGHT);
      if (top !== node.scrollTop) node.scrollTop = top;
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || rows.length === 0) return;
    const row = rows[focusedIndex];
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    switch (e.key) {
      case 'ArrowDown':
        moveFocus(focusedIndex + 1);
        break;
      case 'ArrowUp':
        moveFocus(focusedIndex - 1);
        break;
      case 'PageDown':
        moveFocus(focusedIndex + page);
        break;
      case 'PageUp':
        moveFocus(focusedIndex - page);
        break;
      case 'Home':
        moveFocus(0);
        break;
      case 'End':
        moveFocus(rows.length - 1);
        break;
      case 'Enter':
        if (row) navigate(routeHref('runs', [row.run.runId]));
        break;
      case ' ':
        if (row) store.getState().toggleSelected(row.run.runId);
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
        if (row && row.childCount > 0 && row.collapsed === (e.key === 'ArrowRight')) store.getState().toggleCollapsed(row.run.runId);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.run.runId));
  const toggleAll = () => {
    const state = store.getState();
    if (allSelected) state.clearSelection();
    else for (const r of rows) if (!selected.has(r.run.runId)) state.toggleSelected(r.run.runId);
  };

  const focusedRun = rows[focusedIndex]?.run.runId;

  return (
    <div
      className="runs-scroll"
      ref={scrollRef}
      tabIndex={0}
      role="grid"
      aria-label="Runs"
      aria-rowcount={rows.length + 1}
      aria-busy={loading}
      aria-activedescendant={focusedRun ? `run-row-${focusedRun}` : undefined}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      data-testid="runs-grid"
    >
      <div className="runs-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template, width: '100%', minWidth: width }}>
        <div role="columnheader" className="cell cell-check">
          <input type="checkbox" aria-label="Select all loaded runs" checked={allSelected} onChange={toggleAll} tabIndex={-1} />
        </div>
        {allColumns.map((column) => {
          const sortable = isSortable(column);
          const active = sortColumn !== null && sameColumn(sortColumn, column);
          return (
            <div
              key={columnId(column)}
              role="columnheader"
              className={`cell head-${column.kind}`}
              aria-sort={active ? (sortDirection === 'ASC' ? 'ascending' : 'descending') : undefined}
            >
              {sortable ? (
                <button
                  type="button"
                  className="head-button"
                  tabIndex={-1}
                  title={`Sort by ${column.kind === 'attribute' ? columnLabel(column) : `${column.kind} ${column.key}`}`}
                  onClick={() => void store.getState().setSort(nextSort(store.getState().sort, column))}
                  data-testid={`sort-${columnId(column)}`}
                >
                  {column.kind !== 'attribute' && <span className="head-kind">{column.kind === 'param' ? 'P' : column.kind === 'metric' ? 'M' : 'T'}</span>}
                  <span className="head-label">{columnLabel(column)}</span>
                  <span className="sort-mark" aria-hidden>
                    {active ? (sortDirection === 'ASC' ? '▲' : '▼') : ''}
                  </span>
                </button>
              ) : (
                <span className="head-label head-static" title="MLflow cannot sort on this column">
                  {columnLabel(column)}
                </span>
              )}
            </div>
          );
        })}
        <div role="columnheader" className="cell">
          <span className="head-static">Actions</span>
        </div>
      </div>

      <div className="runs-body" style={{ height: win.totalHeight, width: '100%', minWidth: width }}>
        {rows.slice(win.start, win.end).map((row, i) => {
          const index = win.start + i;
          return (
            <RunRow
              key={row.run.runId}
              store={store}
              row={row}
              index={index}
              columns={allColumns}
              template={template}
              width={width}
              focused={index === focusedIndex}
              selected={selected.has(row.run.runId)}
              editing={editing?.runId === row.run.runId ? editing.kind : null}
              onEdit={(kind) => setEditing(kind ? { runId: row.run.runId, kind } : null)}
              onFocus={() => setFocused(index)}
              now={now}
            />
          );
        })}
      </div>
      {empty && <p className="runs-empty muted">{emptyText}</p>}
      {loading && <p className="runs-loading muted">Loading…</p>}
    </div>
  );
}

interface RowProps {
  store: RunsStore;
  row: DisplayRow<Run>;
  index: number;
  columns: RunColumn[];
  template: string;
  width: number;
  focused: boolean;
  selected: boolean;
  editing: 'rename' | 'tag' | null;
  onEdit(kind: 'rename' | 'tag' | null): void;
  onFocus(): void;
  now: number;
}

function RunRow({ store, row, index, columns, template, width, focused, selected, editing, onEdit, onFocus, now }: RowProps) {
  const { run, depth, childCount, collapsed } = row;
  const deleted = run.lifecycleStage === 'deleted';
  const classes = ['run-row', index % 2 ? 'odd' : '', focused ? 'focused' : '', selected ? 'selected' : '', deleted ? 'deleted' : ''].filter(Boolean).join(' ');

  return (
    <div
      id={`run-row-${run.runId}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={classes}
      style={{ top: index * ROW_HEIGHT, height: ROW_HEIGHT, gridTemplateColumns: template, width: '100%', minWidth: width }}
      onMouseDown={onFocus}
      data-testid="run-row"
      data-run-id={run.runId}
    >
      <div role="gridcell" className="cell cell-check">
        <input
          type="checkbox"
          tabIndex={-1}
          aria-label={`Select ${run.name || run.runId}`}
          checked={selected}
          onChange={() => store.getState().toggleSelected(run.runId)}
        />
      </div>
      {columns.map((column) => (
        <div key={columnId(column)} role="gridcell" className={`cell cell-${column.kind === 'attribute' ? column.key : column.kind}`}>
          {renderCell(store, run, column, { depth, childCount, collapsed, editing, onEdit, now })}
        </div>
      ))}
      <div role="gridcell" className="cell cell-actions">
        {editing === 'tag' ? (
          <InlineInput
            label="New tag as key=value"
            placeholder="key=value"
            initial=""
            onCancel={() => onEdit(null)}
            onCommit={async (text) => {
              const at = text.indexOf('=');
              const key = (at < 0 ? text : text.slice(0, at)).trim();
              if (!key) return onEdit(null);
              if (await store.getState().setTag(run.runId, key, at < 0 ? '' : text.slice(at + 1).trim())) onEdit(null);
            }}
          />
        ) : (
          <>
            <button type="button" className="link-btn" tabIndex={-1} onClick={() => onEdit('rename')}>
              Rename
            </button>
            <button type="button" className="link-btn" tabIndex={-1} onClick={() => onEdit('tag')}>
              Tag
            </button>
            {deleted ? (
              <button type="button" className="link-btn" tabIndex={-1} onClick={() => void store.getState().restore(run.runId)}>
                Restore
              </button>
            ) : (
              <button type="button" className="link-btn link-danger" tabIndex={-1} onClick={() => void store.getState().remove(run.runId)}>
                Delete
              </button>
            )}
          </>
        )}
      </div>
    </div>
  );
}

interface CellContext {
  depth: number;
  childCount: number;
  collapsed: boolean;
  editing: 'rename' | 'tag' | null;
  onEdit(kind: 'rename' | 'tag' | null): void;
  now: number;
}

function renderCell(store: RunsStore, run: Run, column: RunColumn, ctx: CellContext) {
  if (column.kind !== 'attribute') {
    const text = cellText(run, column);
    return <span title={text}>{text}</span>;
  }
  switch (column.key) {
    case 'status':
      return (
        <Badge tone={STATUS_TONE[run.status]}>
          {run.lifecycleStage === 'deleted' ? 'DELETED' : run.status.toLowerCase()}
        </Badge>
      );
    case 'start':
      return <span title={run.startTime ? new Date(run.startTime).toLocaleString() : undefined}>{formatDateTime(run.startTime)}</span>;
    case 'duration':
      return formatDuration(runDuration(run, ctx.now));
    case 'name':
      return (
        <span className="name-cell" style={{ paddingLeft: ctx.depth * 18 }}>
          {ctx.childCount > 0 ? (
            <button
              type="button"
              className="twisty"
              tabIndex={-1}
              aria-expanded={!ctx.collapsed}
              aria-label={`${ctx.collapsed ? 'Expand' : 'Collapse'} ${ctx.childCount} child runs`}
              onClick={() => store.getState().toggleCollapsed(run.runId)}
            >
              {ctx.collapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span className="twisty-space" />
          )}
          {ctx.editing === 'rename' ? (
            <InlineInput
              label="New run name"
              initial={run.name}
              onCancel={() => ctx.onEdit(null)}
              onCommit={async (name) => {
                if (!name.trim() || name.trim() === run.name) return ctx.onEdit(null);
                if (await store.getState().rename(run.runId, name.trim())) ctx.onEdit(null);
              }}
            />
          ) : (
            <>
              <a href={routeHref('runs', [run.runId])} tabIndex={-1} className="run-link" title={run.runId}>
                {run.name || run.runId.slice(0, 8)}
              </a>
              {ctx.childCount > 0 && <span className="child-count muted">{ctx.childCount}</span>}
            </>
          )}
        </span>
      );
  }
}

function InlineInput({
  label,
  initial,
  placeholder,
  onCommit,
  onCancel,
}: {
  label: string;
  initial: string;
  placeholder?: string;
  onCommit(text: string): unknown;
  onCancel(): void;
}) {
  const [text, setText] = useState(initial);
  return (
    <input
      className="input inline-input"
      aria-label={label}
      placeholder={placeholder}
      autoFocus
      value={text}
      onChange={(e) => setText(e.target.value)}
      onFocus={(e) => e.currentTarget.select()}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') void onCommit(text);
        if (e.key === 'Escape') onCancel();
      }}
      onBlur={onCancel}
      data-testid="inline-input"
    />
  );
}
