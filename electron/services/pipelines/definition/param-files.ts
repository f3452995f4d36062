import path from 'node:path';
import { isMap, isScalar, type Node } from 'yaml';
import { describe, type YamlReader } from './yaml-reader';

export interface ParamFile {
  file: string;
  /** Dotted keys read from it; empty: the whole file. */
  keys: string[];
}

/** DVC's default params file, looked for in the stage's working directory. */
export const DEFAULT_PARAMS_FILE = 'params.yaml';

/**
 * A stage's `params:` as DVC writes it: a list whose strings are keys of `params.yaml` in the
 * stage's working directory, and whose single-key maps name another file with its keys
 * (`- config/train.yaml: [lr, epochs]`); an empty list or nothing after the colon tracks the whole
 * file. Entries for one file are merged, in order.
 */
export function readParamFiles(reader: YamlReader, node: Node | null, field: string, wdir: string): ParamFile[] {
  const byFile = new Map<string, { keys: string[]; whole: boolean }>();
  const add = (file: string, keys: string[] | null): void => {
    const entry = byFile.get(file) ?? { keys: [], whole: false };
    if (keys === null) entry.whole = true;
    else for (const k of keys) if (!entry.keys.includes(k)) entry.keys.push(k);
    byFile.set(file, entry);
  };
  (reader.list(node, field, 'a list of params keys, or of `FILE: [keys]` maps') ?? []).forEach((item, i) => {
    const itemField = `${field}[${i}]`;
    if (isScalar(item) && typeof item.value === 'string') {
      if (item.value.trim() === '') reader.problem(item, itemField, 'must not be empty');
      else add(path.resolve(wdir, DEFAULT_PARAMS_FILE), [item.value]);
      return;
    }
    if (!isMap(item)) {
      reader.problem(item, itemField, `must be a params key or a \`FILE: [keys]\` map (got ${describe(item)})`);
      return;
    }
    for (const entry of reader.map(item, itemField) ?? []) {
      const file = path.resolve(wdir, entry.key);
      if (entry.value === null || isScalar(entry.value) && entry.value.value === null) {
        add(file, null);
        continue;
      }
      const keys = reader.strings(entry.value, `${itemField}.${entry.key}`, 'a list of keys (or nothing, for the whole file)');
      if (keys) add(file, keys.length === 0 ? null : keys.map((k) => k.value));
    }
  });
  return [...byFile].map(([file, entry]) => ({ file, keys: entry.whole ? [] : entry.keys }));
}
