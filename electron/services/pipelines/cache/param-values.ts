import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { invalid, notFound } from '../../../../shared/errors';

/**
 * The values a dvc stage's `params:` select, file by file: `train.lr` reads `lr` inside `train`.
 * No keys means the whole file (DVC's `- file.yaml:` with nothing after it). YAML and JSON files
 * are read; other formats are refused by name rather than guessed at.
 */
export async function readParamValues(stage: string, paramFiles: ReadonlyArray<{ file: string; keys: readonly string[] }>): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const { file, keys } of paramFiles) {
    const content = await readParamFile(stage, file);
    if (keys.length === 0) {
      values[file] = content;
      continue;
    }
    const selected: Record<string, unknown> = {};
    for (const key of keys) {
      const value = lookUp(content, key);
      if (value === undefined) throw invalid(`Stage "${stage}": params file ${file} has no key "${key}"`);
      selected[key] = value;
    }
    values[file] = selected;
  }
  return values;
}

async function readParamFile(stage: string, file: string): Promise<unknown> {
  const extension = path.extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw invalid(`Stage "${stage}": params file ${file}: only YAML (.yaml, .yml) and JSON (.json) params files are read`);
  }
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`Stage "${stage}": params file ${file} does not exist`);
    throw error;
  }
  try {
    return extension === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw invalid(`Stage "${stage}": params file ${file} is not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

/** `a.b.0` walks objects and arrays; a key written with its dots at the top level wins. */
function lookUp(content: unknown, key: string): unknown {
  if (isRecord(content) && Object.hasOwn(content, key)) return content[key];
  let at: unknown = content;
  for (const part of key.split('.')) {
    if (Array.isArray(at) && /^\d+$/.test(part)) at = at[Number(part)];
    else if (isRecord(at) && Object.hasOwn(at, part)) at = at[part];
    else return undefined;
  }
  return at;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
