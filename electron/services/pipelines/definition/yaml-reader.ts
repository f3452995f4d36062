import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { DefinitionProblem } from '../pipeline-definition';

/** One key of a YAML map, with where it is. */
export interface MapEntry {
  key: string;
  value: Node | null;
  line: number | null;
}

/**
 * Reads a YAML file node by node so every problem keeps its line and dotted field, and collects
 * problems instead of stopping at the first: a user fixes a file in one pass, not one error per run.
 * Duplicate keys are found here (not by `yaml`, whose error names no field) so a duplicate stage
 * says which stage and where the first one is.
 */
export class YamlReader {
  readonly problems: DefinitionProblem[] = [];
  /** The document's top node; null for an empty file or one with syntax errors. */
  readonly root: Node | null;
  private readonly lines = new LineCounter();
  private readonly doc: Document.Parsed;

  constructor(text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: false, prettyErrors: true });
    for (const error of this.doc.errors) {
      // yaml's message repeats the position and quotes the source: keep its first sentence and line.
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      this.problems.push({ line: error.linePos?.[0].line ?? null, field: '', message });
    }
    this.root = this.doc.errors.length > 0 ? null : this.resolve(this.doc.contents);
  }

  problem(at: Node | number | null, field: string, message: string): void {
    const line = typeof at === 'number' ? at : this.lineOf(at);
    this.problems.push({ line, field, message });
  }

  lineOf(node: Node | null | undefined): number | null {
    const offset = node?.range?.[0];
    if (offset === undefined && node === this.root) return 1;
    return offset === undefined ? null : this.lines.linePos(offset).line;
  }

  /** The entries of a map in file order; null (with a problem) when it is not a map. */
  map(node: Node | null, field: string, what = 'a map of fields', keyWord = 'key'): MapEntry[] | null {
    if (!isMap(node)) {
      this.problem(node, field, `must be ${what} (got ${describe(node)})`);
      return null;
    }
    const seen = new Map<string, number | null>();
    const entries: MapEntry[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const line = this.lineOf(keyNode);
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number') {
        this.problem(line, field, `keys must be plain names (got ${describe(keyNode)})`);
        continue;
      }
      const key = String(keyNode.value);
      const childField = join(field, key);
      if (seen.has(key)) {
        const first = seen.get(key);
        this.problem(line, childField, `duplicate ${keyWord} '${key}'${first === null ? '' : ` (first at line ${first})`}`);
        continue;
      }
      seen.set(key, line);
      entries.push({ key, value: this.resolve(pair.value as Node | null), line });
    }
    return entries;
  }

  /** The items of a list; null (with a problem) when it is not one. */
  list(node: Node | null, field: string, what = 'a list'): Node[] | null {
    if (!isSeq(node)) {
      this.problem(node, field, `must be ${what} (got ${describe(node)})`);
      return null;
    }
    return node.items.map((item) => this.resolve(item as Node | null)).filter((item): item is Node => item !== null);
  }

  string(node: Node | null, field: string, what = 'a string'): string | undefined {
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    this.problem(node, field, `must be ${what} (got ${describe(node)})`);
    return undefined;
  }

  number(node: Node | null, field: string, what = 'a number'): number | undefined {
    if (isScalar(node) && typeof node.value === 'number' && Number.isFinite(node.value)) return node.value;
    this.problem(node, field, `must be ${what} (got ${describe(node)})`);
    return undefined;
  }

  boolean(node: Node | null, field: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.problem(node, field, `must be true or false (got ${describe(node)})`);
    return undefined;
  }

  /** A string or a list of strings (a list is read in order). */
  strings(node: Node | null, field: string, what = 'a string or a list of strings'): Array<{ value: string; node: Node }> | undefined {
    if (isScalar(node) && typeof node.value === 'string') return [{ value: node.value, node }];
    if (!isSeq(node)) {
      this.problem(node, field, `must be ${what} (got ${describe(node)})`);
      return undefined;
    }
    const out: Array<{ value: string; node: Node }> = [];
    (this.list(node, field) ?? []).forEach((item, i) => {
      const value = this.string(item, `${field}[${i}]`);
      if (value !== undefined) out.push({ value, node: item });
    });
    return out;
  }

  /** The node as plain data (aliases resolved), for values passed on as written. */
  toJS(node: Node | null): unknown {
    return node === null ? null : node.toJS(this.doc);
  }

  private resolve(node: Node | null): Node | null {
    let current: unknown = node;
    for (let hops = 0; isAlias(current) && hops < 100; hops++) current = current.resolve(this.doc) ?? null;
    return (current as Node | null) ?? null;
  }
}

export function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}

/** What a node is, in words, for "must be X (got Y)". */
export function describe(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return 'nothing';
    if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    if (typeof value === 'number') return `the number ${value}`;
    if (typeof value === 'boolean') return `${value}`;
  }
  return 'a value of another type';
}
