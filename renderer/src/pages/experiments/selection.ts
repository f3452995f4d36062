import type { Run } from '../../../../shared/contract/tracking';
import type { DisplayRow } from './grouping';
import type { RunsState } from './runs-store';

/** Compare overlays at most this many runs. */
export const MAX_COMPARE = 100;

/** What the Compare button offers for the picked runs. */
export function compareChoice(selected: ReadonlySet<string>): { ids: string[]; enabled: boolean; title: string; href: string } {
  const ids = [...selected];
  return {
    ids,
    enabled: ids.length >= 2 && ids.length <= MAX_COMPARE,
    title: ids.length > MAX_COMPARE ? `Compare takes at most ${MAX_COMPARE} runs` : 'Select 2 to 100 runs to compare',
    href: `#/compare?runs=${ids.join(',')}`,
  };
}

export function allRowsSelected(rows: readonly DisplayRow<Run>[], selected: ReadonlySet<string>): boolean {
  return rows.length > 0 && rows.every((r) => selected.has(r.run.runId));
}

/** The header checkbox: every shown row picked, or none when all already were. */
export function toggleAllRows(state: Pick<RunsState, 'clearSelection' | 'toggleSelected'>, rows: readonly DisplayRow<Run>[], selected: ReadonlySet<string>): void {
  if (allRowsSelected(rows, selected)) state.clearSelection();
  else for (const r of rows) if (!selected.has(r.run.runId)) state.toggleSelected(r.run.runId);
}
