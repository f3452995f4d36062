/**
 * Reading the start of a JSON text that may be cut anywhere (the request log keeps only the first
 * bytes of a big body): the entries of an object and the complete items of an array, up to where
 * the text ends. Nothing here evaluates more than the slices it returns.
 */

export interface Entry {
  key: string;
  start: number;
  /** Index after the value; -1 when the text ends inside it. */
  end: number;
}

export function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index after the JSON value starting at i (after spaces), or -1 when the text is cut inside it. */
export function valueEnd(text: string, i: number): number {
  i = skipSpace(text, i);
  if (i >= text.length) return -1;
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') {
        j = stringEnd(text, j) - 1;
        if (j < 0) return -1;
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // A number or literal: it may be cut, so it must be followed by a delimiter.
  let j = i;
  while (j < text.length && !',}] \n\r\t'.includes(text[j]!)) j++;
  return j < text.length ? j : -1;
}

function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return -1;
}

/** The entries of the object starting at i, until its end or the text's. */
export function objectEntries(text: string, i: number): Entry[] {
  const entries: Entry[] = [];
  i = skipSpace(text, i);
  if (text[i] !== '{') return entries;
  i++;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length || text[i] === '}') return entries;
    if (text[i] === ',') {
      i++;
      continue;
    }
    const keyEnd = text[i] === '"' ? stringEnd(text, i) : -1;
    if (keyEnd < 0) return entries;
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') return entries;
    const start = skipSpace(text, i + 1);
    const end = valueEnd(text, start);
    entries.push({ key, start, end });
    if (end < 0) return entries;
    i = end;
  }
}

export interface ArrayPrefix {
  items: unknown[];
  /** Whether the array's closing bracket was reached. */
  complete: boolean;
  /** Complete items seen (may be more than items kept). */
  seen: number;
  /** Index where the first item starts, and after the last complete one: for estimating the rest. */
  from: number;
  to: number;
}

/** The complete items of the array starting at i (parsed, at most maxItems kept). */
export function arrayItems(text: string, i: number, maxItems: number): ArrayPrefix {
  i = skipSpace(text, i);
  const out: ArrayPrefix = { items: [], complete: false, seen: 0, from: i + 1, to: i + 1 };
  if (text[i] !== '[') return out;
  i++;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length) return out;
    if (text[i] === ']') {
      out.complete = true;
      return out;
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    const end = valueEnd(text, i);
    if (end < 0) return out;
    if (out.items.length < maxItems) out.items.push(JSON.parse(text.slice(i, end)));
    out.seen++;
    out.to = end;
    i = end;
  }
}
