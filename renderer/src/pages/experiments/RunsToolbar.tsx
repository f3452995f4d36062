import { useState } from 'react';
import type { RunColumns } from '../../../../shared/contract/tracking';
import { navigate } from '../../routing/use-route';
import type { RunColumn } from './columns';
import { ColumnPicker } from './ColumnPicker';
import type { RunsStore } from './runs-store';
import { compareChoice } from './selection';

interface ToolbarProps {
  store: RunsStore;
  filterError: string | null;
  available: RunColumns;
  columns: RunColumn[];
  showDeleted: boolean;
  selected: ReadonlySet<string>;
  onColumns(columns: RunColumn[]): void;
}

/** Above the runs table: the filter (applied on Enter), columns, "show deleted", and Compare for the picked runs. */
export function RunsToolbar({ store, filterError, available, columns, showDeleted, selected, onColumns }: ToolbarProps) {
  const [filterText, setFilterText] = useState('');
  const compare = compareChoice(selected);
  return (
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
            <code>LIKE</code>, <code>IN ('a', 'b')</code>. Enter applies, Esc clears.
          </p>
        )}
      </div>
      <ColumnPicker available={available} columns={columns} onChange={onColumns} />
      <label className="toggle">
        <input type="checkbox" checked={showDeleted} onChange={(e) => void store.getState().setShowDeleted(e.target.checked)} data-testid="show-deleted" />
        Show deleted
      </label>
      <button
        type="button"
        className="btn btn-primary"
        disabled={!compare.enabled}
        title={compare.title}
        onClick={() => navigate(compare.href)}
        data-testid="compare-button"
      >
        Compare ({compare.ids.length})
      </button>
      {compare.ids.length > 0 && (
        <button type="button" className="btn btn-small" onClick={() => store.getState().clearSelection()}>
          Clear selection
        </button>
      )}
    </div>
  );
}
