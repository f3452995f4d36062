import { parseSavedColumns, type RunColumn } from './columns';

// The columns picked for an experiment are remembered in this browser, per experiment.
const storageKey = (experimentId: string) => `orrery.runs.columns.${experimentId}`;

/** The columns last picked for this experiment; null when none were (or storage is refused). */
export function readSavedColumns(experimentId: string): RunColumn[] | null {
  try {
    return parseSavedColumns(window.localStorage.getItem(storageKey(experimentId)));
  } catch {
    return null;
  }
}

export function saveColumns(experimentId: string, columns: readonly RunColumn[]): void {
  try {
    window.localStorage.setItem(storageKey(experimentId), JSON.stringify(columns));
  } catch {
    // Storage full or refused: the pick still applies to this view.
  }
}
