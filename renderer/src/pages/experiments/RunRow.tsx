import { memo, useState } from 'react';
import type { Run, RunStatus } from '../../../../shared/contract/tracking';
import { Badge, type BadgeTone } from '../../components/Badge';
import { routeHref } from '../../routing/route';
import { cellText, columnId, formatDateTime, formatDuration, formatLocalDateTime, runDuration, type RunColumn } from './columns';
import type { DisplayRow } from './grouping';
import { parseTagText } from '../../lib/tag-text';
import type { RunsStore } from './runs-store';
import { ROW_HEIGHT } from './table-layout';

const STATUS_TONE: Record<RunStatus, BadgeTone> = { RUNNING: 'warn', SCHEDULED: 'neutral', FINISHED: 'ok', FAILED: 'bad', KILLED: 'neutral' };

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
  /** The same function on every render (with the row's run id), so rows that did not change skip rendering. */
  onEdit(runId: string, kind: 'rename' | 'tag' | null): void;
  onFocus(index: number): void;
  now: number;
}

/**
 * One row of the runs table: a checkbox, its cells, and rename / tag / delete in place. Memoised:
 * while the table scrolls, only the rows entering the window render.
 */
export const RunRow = memo(function RunRow({ store, row, index, columns, template, width, focused, selected, editing, onEdit: onEditRun, onFocus: onFocusIndex, now }: RowProps) {
  const { run, depth, childCount, collapsed } = row;
  const onEdit = (kind: 'rename' | 'tag' | null) => onEditRun(run.runId, kind);
  const onFocus = () => onFocusIndex(index);
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
            onCancel={() => {
              if (store.getState().actionError?.code === 'INVALID_INPUT') store.setState({ actionError: null });
              onEdit(null);
            }}
            onChange={() => {
              // The refusal of what was typed goes as soon as it is edited.
              if (store.getState().actionError?.code === 'INVALID_INPUT') store.setState({ actionError: null });
            }}
            onCommit={async (text) => {
              if (!text.trim()) return onEdit(null);
              const tag = parseTagText(text);
              if (!tag.ok) return store.setState({ actionError: { code: 'INVALID_INPUT', message: tag.error } });
              if (await store.getState().setTag(run.runId, tag.key, tag.value)) onEdit(null);
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
              <button type="button" className="link-btn link-danger" tabIndex={-1} onClick={() => store.getState().askDelete(run)}>
                Delete
              </button>
            )}
          </>
        )}
      </div>
    </div>
  );
});

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
      return <span title={run.startTime ? formatLocalDateTime(run.startTime) : undefined}>{formatDateTime(run.startTime)}</span>;
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
  onChange,
}: {
  label: string;
  initial: string;
  placeholder?: string;
  onCommit(text: string): unknown;
  onCancel(): void;
  onChange?(text: string): void;
}) {
  const [text, setText] = useState(initial);
  return (
    <input
      className="input inline-input"
      aria-label={label}
      placeholder={placeholder}
      autoFocus
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange?.(e.target.value);
      }}
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
