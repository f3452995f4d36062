/** How deep a request body's JSON may nest: far beyond any API's own shapes, far below the stack. */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether a parsed JSON value nests deeper than `limit` arrays and objects. JSON.parse itself
 * copes with any depth, but everything that walks the value afterwards (schema checks, error
 * messages, JSON.stringify) recurses and would overflow the stack. Walked with an explicit stack,
 * stopping at the first branch past the limit; a typical body (a batch of flat objects) costs one
 * visit per value, far less than re-reading its text.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  // Parallel stacks of containers and their depths, children read in place: a log-batch body has
  // a thousand small objects, and a tuple plus an Object.values array for each made the walk ~1.5x slower.
  const nodes: object[] = [];
  const depths: number[] = [];
  if (value !== null && typeof value === 'object') {
    nodes.push(value);
    depths.push(1);
  }
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) {
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      // JSON.parse makes "__proto__" an own key, which plain indexing would not read.
      const child = key === '__proto__' ? Object.getOwnPropertyDescriptor(node, key)?.value : (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
