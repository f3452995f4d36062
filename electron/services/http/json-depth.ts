/** How deep a request body's JSON may nest: far beyond any API's own shapes, far below the stack. */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether JSON text nests deeper than `limit` arrays and objects. Checked on the text before
 * parsing: JSON.parse itself copes, but everything that walks the value afterwards (schema
 * checks, error messages, JSON.stringify) recurses and would overflow the stack.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
