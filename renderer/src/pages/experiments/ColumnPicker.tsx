import { useEffect, useRef, useState } from 'react';
import type { RunColumns } from '../../../../shared/contract/tracking';
import { sameColumn, type RunColumn } from './columns';

const GROUPS = [
  { kind: 'metric', label: 'Metrics', field: 'metrics' },
  { kind: 'param', label: 'Params', field: 'params' },
  { kind: 'tag', label: 'Tags', field: 'tags' },
] as const;

/** A popover of every param, metric and tag key in the experiment, each a checkbox. */
export function ColumnPicker({ available, columns, onChange }: { available: RunColumns; columns: RunColumn[]; onChange(next: RunColumn[]): void }) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const toggle = (column: RunColumn) => {
    const has = columns.some((c) => sameColumn(c, column));
    onChange(has ? columns.filter((c) => !sameColumn(c, column)) : [...columns, column]);
  };
  const needle = search.trim().toLowerCase();
  const total = available.metrics.length + available.params.length + available.tags.length;

  return (
    <div className="column-picker" ref={ref} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button type="button" className="btn" aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen(!open)} data-testid="column-picker-button">
        Columns ({columns.length})
      </button>
      {open && (
        <div className="column-popover" role="dialog" aria-label="Columns" data-testid="column-picker">
          <input className="input" placeholder="Find a key" aria-label="Find a key" value={search} onChange={(e) => setSearch(e.target.value)} autoFocus />
          {total === 0 && <p className="muted">No params, metrics or tags logged yet.</p>}
          {GROUPS.map((group) => {
            const keys = available[group.field].filter((k) => !needle || k.toLowerCase().includes(needle));
            if (keys.length === 0) return null;
            return (
              <fieldset key={group.kind}>
                <legend>{group.label}</legend>
                {keys.map((key) => {
                  const column: RunColumn = { kind: group.kind, key };
                  return (
                    <label key={key} className="picker-item">
                      <input type="checkbox" checked={columns.some((c) => sameColumn(c, column))} onChange={() => toggle(column)} data-testid={`pick-${group.kind}-${key}`} />
                      <span className="mono">{key}</span>
                    </label>
                  );
                })}
              </fieldset>
            );
          })}
          {columns.length > 0 && (
            <button type="button" className="btn btn-small" onClick={() => onChange([])}>
              Clear all
            </button>
          )}
        </div>
      )}
    </div>
  );
}
