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
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
