// Ticks for a step axis: steps are whole numbers, so the axis shows each whole step at most once.

/**
 * The ticks chart.js built, kept only where they are whole numbers, each once. chart.js adds the
 * axis bounds as ticks (a zoomed axis starts at 12.3) and, on a short axis, steps like 0.5:
 * labelled as steps these would read "12, 12, 13" or "0, 1, 1".
 */
export function integerTicks<T extends { value: number }>(ticks: readonly T[]): T[] {
  const seen = new Set<number>();
  return ticks.filter((t) => {
    if (!Number.isInteger(t.value) || seen.has(t.value)) return false;
    seen.add(t.value);
    return true;
  });
}
