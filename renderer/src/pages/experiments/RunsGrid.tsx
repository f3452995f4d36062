import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Run } from '../../../../shared/contract/tracking';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { MiddleTruncated } from '../../charts/middle-truncated';
import { columnId, columnLabel, sameColumn, type RunColumn } from './columns';
import type { DisplayRow } from './grouping';
import { isSortable, nextSort } from './order-by';
import { RunRow } from './RunRow';
import type { RunsStore } from './runs-store';
import { allRowsSelected, toggleAllRows } from './selection';
import { ROW_HEIGHT } from './table-layout';
import { needsMore, rowTop, rowWindow, scrollToRow } from './windowing';

/** A header keeps this much of a long key's end ("…percent"), all that fits a 120px column beside its head. */
const HEAD_TAIL_CHARS = 7;

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
  /** Changes when the filter, order or lifecycle does: the new results are shown from their first row. */
  queryKey: string;
}

type Editing = { runId: string; kind: 'rename' | 'tag' } | null;

/**
 * The windowed grid: a sticky sortable header, only the rows in view rendered, the next page
 * fetched as the window nears the end, and keyboard navigation (arrows, pages, Enter, Space).
 */
export function RunsGrid({ store, rows, allColumns, template, width, loading, hasMore, empty, emptyText, sortColumn, sortDirection, selected, queryKey }: GridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The scroll position rounded down to a row: the window is the same within a row, and an unchanged
  // value renders nothing, so a slow scroll re-renders once per row, not once per frame.
  const [windowTop, setWindowTop] = useState(0);
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

  // Another filter or order is a new list: start it at its top, not where the old one was scrolled to.
  useLayoutEffect(() => {
    const node = scrollRef.current;
    if (node) node.scrollTop = 0;
    setWindowTop(0);
    setFocused(0);
  }, [queryKey]);

  // Running runs' durations tick.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);

  const win = rowWindow(windowTop, viewport, ROW_HEIGHT, rows.length);

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

  // Not per scroll frame: with many pages loaded this walks every loaded row.
  const allSelected = useMemo(() => allRowsSelected(rows, selected), [rows, selected]);
  // The same functions on every render, so the memoised rows that stay in the window skip rendering.
  const onEdit = useCallback((runId: string, kind: 'rename' | 'tag' | null) => setEditing(kind ? { runId, kind } : null), []);
  const onFocusRow = useCallback((index: number) => setFocused(index), []);
  const toggleAll = () => toggleAllRows(store.getState(), rows, selected);

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
      onScroll={(e) => setWindowTop(rowTop(e.currentTarget.scrollTop, ROW_HEIGHT))}
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
                  <MiddleTruncated className="head-label" text={columnLabel(column)} tailChars={HEAD_TAIL_CHARS} />
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
        <div role="columnheader" className="cell cell-actions">
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
              onEdit={onEdit}
              onFocus={onFocusRow}
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
