import { ATTRIBUTE_COLUMNS, columnWidth, type RunColumn } from './columns';

/** Every row is this tall: the window math depends on it. */
export const ROW_HEIGHT = 32;
const CHECK_WIDTH = 36;
const ACTIONS_WIDTH = 200;

/** The columns shown (attributes first, then the picked ones) and the grid's template and width. */
export function tableLayout(picked: readonly RunColumn[]): { allColumns: RunColumn[]; template: string; width: number } {
  const allColumns = [...ATTRIBUTE_COLUMNS, ...picked];
  // The actions take what the page has left over, so a table narrower than the page has no
  // striped strip past its last cell.
  const template = `${CHECK_WIDTH}px ${allColumns.map((c) => `${columnWidth(c)}px`).join(' ')} minmax(${ACTIONS_WIDTH}px, 1fr)`;
  const width = CHECK_WIDTH + ACTIONS_WIDTH + allColumns.reduce((sum, c) => sum + columnWidth(c), 0);
  return { allColumns, template, width };
}
