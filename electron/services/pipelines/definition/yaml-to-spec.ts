import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { describe, join, type YamlReader } from './yaml-reader';

/**
 * Turns a YAML map written for one of Orrery's zod schemas (a job spec, rollout settings) into the
 * object the schema reads, and maps the schema's complaints back onto the file's lines and the keys
 * as the user wrote them. Keys may be snake_case (the file's style) or camelCase (the schema's).
 */
export interface SpecOptions {
  /** Written key (snake_case or camelCase) → the schema's key, where plain camelCasing is not it. */
  aliases?: Record<string, string>;
  /** Schema keys whose maps hold user data (env names, hyperparameters): their keys stay as written. */
  verbatim?: ReadonlySet<string>;
}

interface Origin {
  field: string;
  line: number | null;
  node: Node | null;
}

export class SpecFromYaml {
  /** Schema path (`resources.memoryGb`) → where it is in the file. */
  private readonly origins = new Map<string, Origin>();

  constructor(
    private readonly reader: YamlReader,
    private readonly options: SpecOptions = {},
  ) {}

  /** The map as plain data under the schema's key names, or undefined (with a problem) when not a map. */
  /** `line`: where the map's key is written, for what the map lacks (default: the map's first line). */
  read(node: Node | null, field: string, line: number | null = null): Record<string, unknown> | undefined {
    if (!isMap(node)) {
      this.reader.problem(node, field, `must be a map of fields (got ${describe(node)})`);
      return undefined;
    }
    this.origins.set('', { field, line: line ?? this.reader.lineOf(node), node });
    return this.convert(node, field, [], false) as Record<string, unknown>;
  }

  /** Where a schema path is written; for a path the file does not have, its nearest written parent. */
  locate(schemaPath: ReadonlyArray<PropertyKey>): Origin & { rest: string } {
    for (let n = schemaPath.length; n >= 0; n--) {
      const origin = this.origins.get(key(schemaPath.slice(0, n)));
      if (origin) return { ...origin, rest: schemaPath.slice(n).map(String).reduce(appendPath, '') };
    }
    return { field: '', line: null, node: null, rest: schemaPath.map(String).reduce(appendPath, '') };
  }

  /** Every issue of a failed parse as a problem at its line, naming the field as written. */
  report(issues: readonly z.core.$ZodIssue[]): void {
    for (const issue of issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          const at = this.locate([...issue.path, k]);
          this.reader.problem(at.line, at.field + at.rest, 'unknown field');
        }
        continue;
      }
      const at = this.locate(issue.path);
      const field = at.field + at.rest;
      if (issue.code === 'invalid_type') {
        const missing = at.rest !== '';
        this.reader.problem(at.line, field, missing ? 'is required' : `must be ${expectedWords(issue.expected)} (got ${describe(at.node)})`);
      } else {
        // A union's bare "Invalid input" says nothing: say at least what was given.
        const message = issue.message === 'Invalid input' ? `is not a valid value here (got ${describe(at.node)})` : issue.message;
        this.reader.problem(at.line, field, bounds(issue) ?? message);
      }
    }
  }

  private convert(node: Node | null, field: string, schemaPath: PropertyKey[], verbatim: boolean): unknown {
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const writtenAs = new Map<string, string>();
      for (const entry of this.reader.map(node, field) ?? []) {
        const name = verbatim ? entry.key : this.schemaKey(entry.key);
        const childField = join(field, entry.key);
        if (writtenAs.has(name)) {
          this.reader.problem(entry.line, childField, `is the same field as '${writtenAs.get(name)}'; give it once`);
          continue;
        }
        writtenAs.set(name, entry.key);
        const childPath = [...schemaPath, name];
        this.origins.set(key(childPath), { field: childField, line: entry.line, node: entry.value });
        out[name] = this.convert(entry.value, childField, childPath, !verbatim && (this.options.verbatim?.has(name) ?? false));
      }
      return out;
    }
    if (isSeq(node)) {
      return (this.reader.list(node, field) ?? []).map((item, i) => {
        const childField = `${field}[${i}]`;
        const childPath = [...schemaPath, i];
        this.origins.set(key(childPath), { field: childField, line: this.reader.lineOf(item), node: item });
        return this.convert(item, childField, childPath, false);
      });
    }
    // An empty value (`gpus:`) reads as absent, so the schema's default or "is required" applies.
    if (isScalar(node) && node.value === null) return undefined;
    return this.reader.toJS(node);
  }

  private schemaKey(written: string): string {
    const alias = this.options.aliases?.[written];
    if (alias) return alias;
    const camel = written.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    return this.options.aliases?.[camel] ?? camel;
  }
}

function key(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('\u0000');
}

function appendPath(field: string, part: string): string {
  return /^\d+$/.test(part) ? `${field}[${part}]` : `${field}.${part}`;
}

function expectedWords(expected: string): string {
  const words: Record<string, string> = { array: 'a list', object: 'a map', record: 'a map', string: 'a string', number: 'a number', boolean: 'true or false', int: 'a whole number' };
  return words[expected] ?? expected;
}

/** zod's own words for a bound ("Too big: expected number to be <=10") in the file's words; null for a schema's custom message. */
function bounds(issue: z.core.$ZodIssue): string | null {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return null;
  if (!/^Too (big|small)/.test(issue.message)) return null;
  const big = issue.code === 'too_big';
  const limit = Number(big ? issue.maximum : issue.minimum);
  const unit = issue.origin === 'array' || issue.origin === 'set' ? ' items' : issue.origin === 'string' ? ' characters' : '';
  const inclusive = issue.inclusive !== false;
  if (unit !== '') return `must have ${big ? 'at most' : 'at least'} ${limit}${unit}`;
  return `must be ${big ? (inclusive ? 'at most' : 'less than') : inclusive ? 'at least' : 'more than'} ${limit}`;
}
