/**
 * Two paths of one model that cannot both exist: the same path twice, or a path and another inside
 * it (a file layer `a` and a layer `a/b`).
 */
export type PathClash = { kind: 'duplicate'; path: string } | { kind: 'nested'; path: string; inner: string };

/**
 * The first clash among `paths` (safe relative paths, as safeRelativePath returns them), or null.
 * Sorted with '/' ranked below every other character, everything inside a path comes right after
 * it, so comparing neighbours finds any clash in O(n log n); comparing every pair was O(n²), and
 * a manifest of 20,000 layers held the event loop for seconds.
 */
export function findPathClash(paths: readonly string[]): PathClash | null {
  // NUL never occurs in a safe path, so it can stand in for '/' as the lowest character.
  const keys = paths.map((p) => p.replaceAll('/', '\0'));
  keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const before = keys[i - 1]!;
    const after = keys[i]!;
    if (before === after) return { kind: 'duplicate', path: before.replaceAll('\0', '/') };
    if (after.startsWith(`${before}\0`)) return { kind: 'nested', path: before.replaceAll('\0', '/'), inner: after.replaceAll('\0', '/') };
  }
  return null;
}
