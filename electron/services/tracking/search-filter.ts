import { OrreryError } from '../../../shared/errors';
import { tokenize, type Token } from './search-filter-tokens';
import { shortText } from '../../../shared/tracking-limits';

/**
 * MLflow's search language for runs/search and experiments/search: `filter` strings (comparisons
 * joined by AND) and `order_by` clauses. Rules and messages follow MLflow's SearchUtils (and the
 * checks its SQL store adds), so clients see the errors they already know.
 */

export type FilterEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/**
 * Whose language: 'mlflow' is MLflow's exactly (its REST API, where clients expect its refusals);
 * 'orrery' is the runs table's superset: IN / NOT IN also on params, tags and every string
 * attribute, where MLflow takes a list only for run_id and datasets.
 */
export type SearchDialect = 'mlflow' | 'orrery';
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export interface FilterClause {
  entity: FilterEntity;
  /** Attribute keys are normalised (`created` → `start_time`, `run name` → `run_name`). */
  key: string;
  comparator: Comparator;
  /** number for metrics and numeric attributes; string[] for IN / NOT IN. */
  value: number | string | string[];
}

export interface OrderClause {
  entity: Exclude<FilterEntity, 'dataset'>;
  key: string;
  ascending: boolean;
}

type IdentToken = Extract<Token, { kind: 'ident' }>;
type ListItem = Exclude<Token, { kind: 'end' }>;

/** A comparison as written, before the entity's rules are applied. */
interface RawClause {
  ident: IdentToken;
  comparator: string;
  value:
    | { kind: 'string'; value: string; raw: string }
    | { kind: 'number'; value: number; raw: string }
    /** An unquoted (or backticked, or dotted) name where a value belongs. */
    | { kind: 'word'; raw: string }
    | { kind: 'list'; items: ListItem[]; raw: string };
}

/** What differs between the run and the experiment filters. */
interface Schema {
  entities: ReadonlyMap<string, FilterEntity>;
  entityError: (written: string) => string;
  /** Attribute key as written → the key it means. */
  attributes: ReadonlyMap<string, string>;
  numericAttributes: ReadonlySet<string>;
  /** Attributes that take `IN (...)`. */
  listAttributes: ReadonlySet<string>;
  /** Whether params and tags take `IN (...)` too. */
  subjectLists: boolean;
  stringAttributeComparators: readonly Comparator[];
}

// Printed in the order MLflow 3.6 printed them, so the common message matches it byte for byte.
const NUMERIC_COMPARATORS: readonly Comparator[] = ['!=', '<=', '>=', '=', '<', '>'];
const STRING_COMPARATORS: readonly Comparator[] = ['!=', '=', 'LIKE', 'ILIKE'];
const LIST_COMPARATORS: readonly Comparator[] = [...STRING_COMPARATORS, 'IN', 'NOT IN'];
const DATASET_KEYS = ['name', 'digest', 'context'];

const RUN_SCHEMA: Schema = {
  entities: new Map<string, FilterEntity>([
    ['metric', 'metric'],
    ['metrics', 'metric'],
    ['parameter', 'param'],
    ['parameters', 'param'],
    ['param', 'param'],
    ['params', 'param'],
    ['tag', 'tag'],
    ['tags', 'tag'],
    ['attribute', 'attribute'],
    ['attributes', 'attribute'],
    ['attr', 'attribute'],
    ['run', 'attribute'],
    ['dataset', 'dataset'],
    ['datasets', 'dataset'],
  ]),
  entityError: (written) => `Invalid entity type '${written}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`,
  attributes: new Map([
    ['run_id', 'run_id'],
    ['run_name', 'run_name'],
    ['user_id', 'user_id'],
    ['status', 'status'],
    ['start_time', 'start_time'],
    ['end_time', 'end_time'],
    ['artifact_uri', 'artifact_uri'],
    // MLflow's aliases (the names its UI shows).
    ['created', 'start_time'],
    ['Created', 'start_time'],
    ['run name', 'run_name'],
    ['Run name', 'run_name'],
    ['Run Name', 'run_name'],
  ]),
  numericAttributes: new Set(['start_time', 'end_time']),
  listAttributes: new Set(['run_id']),
  subjectLists: false,
  stringAttributeComparators: LIST_COMPARATORS,
};

const ORRERY_RUN_SCHEMA: Schema = {
  ...RUN_SCHEMA,
  listAttributes: new Set(['run_id', 'run_name', 'status', 'user_id', 'artifact_uri']),
  subjectLists: true,
};

const EXPERIMENT_SCHEMA: Schema = {
  entities: new Map<string, FilterEntity>([
    ['attribute', 'attribute'],
    ['attributes', 'attribute'],
    ['tag', 'tag'],
    ['tags', 'tag'],
  ]),
  entityError: (written) => `Invalid entity type '${written}'. Valid entity types are ('attribute', 'attributes', 'tag', 'tags')`,
  attributes: new Map([
    ['name', 'name'],
    ['creation_time', 'creation_time'],
    ['last_update_time', 'last_update_time'],
  ]),
  numericAttributes: new Set(['creation_time', 'last_update_time']),
  listAttributes: new Set(),
  subjectLists: false,
  // MLflow's SQL store refuses IN for experiment names; say so up front.
  stringAttributeComparators: STRING_COMPARATORS,
};

const invalid = (message: string) => new OrreryError('INVALID_INPUT', message);

/** Python's repr of a set or list of strings, as MLflow's messages print them. */
const pyItems = (items: readonly string[]) => items.map((item) => `'${item}'`).join(', ');

/** The upper-cased word if `token` is a lone unquoted name (AND, LIKE, NOT ...). */
function keyword(token: Token): string | undefined {
  if (token.kind !== 'ident' || token.parts.length !== 1 || token.parts[0]?.quote !== '') return undefined;
  return token.parts[0].text.toUpperCase();
}

/** Reads `source` into comparisons, checking only the shape: identifier, comparator, value, AND. */
function parseClauses(source: string): RawClause[] {
  // Checked before reading it: a huge filter would hold the server for seconds only to be refused.
  if (source.length > FILTER_LIMITS.characters) {
    throw invalid(`The filter is ${source.length} characters long; at most ${FILTER_LIMITS.characters}.`);
  }
  const tokens = tokenize(source, 'filter');
  if (tokens.some((token) => token.kind === 'semicolon')) {
    throw invalid(`Search filter contained multiple expression '${shortText(source)}'. Provide AND-ed expression list.`);
  }
  let i = 0;
  // Reading past the last token (`end`) keeps returning an `end`.
  const peek = (): Token =>
    tokens[i] ?? {
      kind: 'end',
      // Stryker disable next-line StringLiteral: an end token's text is never shown (see found())
      raw: '',
      pos: source.length,
    };
  const next = (): Token => {
    const token = peek();
    i++;
    return token;
  };
  const found = (token: Token) => (token.kind === 'end' ? 'the end of the filter' : `'${shortText(token.raw)}'`);

  const readComparator = (ident: IdentToken): string => {
    const token = next();
    if (token.kind === 'op') return token.raw;
    const word = keyword(token);
    if (word === 'LIKE' || word === 'ILIKE' || word === 'IN' || word === 'RLIKE') return word;
    if (word === 'NOT') {
      const negated = keyword(peek());
      if (negated === 'IN' || negated === 'LIKE' || negated === 'ILIKE') {
        next();
        return `NOT ${negated}`;
      }
    }
    throw invalid(`Invalid comparison clause. Expected comparison after '${shortText(ident.raw)}', found ${found(token)}.`);
  };

  const readList = (open: Token): RawClause['value'] => {
    const illFormed = () => invalid('While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.');
    const items: ListItem[] = [];
    let close = peek();
    if (close.kind === 'rparen') {
      next();
    } else {
      while (true) {
        const item = next();
        if (item.kind !== 'string' && item.kind !== 'number' && item.kind !== 'ident') throw illFormed();
        items.push(item);
        close = next();
        if (close.kind === 'rparen') break;
        if (close.kind !== 'comma') throw illFormed();
      }
    }
    return { kind: 'list', items, raw: source.slice(open.pos, close.pos + 1) };
  };

  const readValue = (ident: IdentToken, comparator: string): RawClause['value'] => {
    const token = next();
    const missing = () =>
      invalid(`Invalid comparison clause. Expected value token after '${shortText(ident.raw)} ${comparator}', found ${found(token)}.`);
    // `metrics.a > AND ...` lacks a value; reading AND as one would blame the next clause.
    if (keyword(token) === 'AND' || keyword(token) === 'OR') throw missing();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value, raw: token.raw };
      case 'number':
        return { kind: 'number', value: token.value, raw: token.raw };
      case 'ident': {
        const [only, ...more] = token.parts;
        // sqlparse reads "x" as a name; MLflow accepts it as a string value all the same.
        if (only?.quote === '"' && more.length === 0) return { kind: 'string', value: only.text, raw: token.raw };
        return { kind: 'word', raw: token.raw };
      }
      case 'lparen':
        return readList(token);
      default:
        throw missing();
    }
  };

  const clauses: RawClause[] = [];
  if (peek().kind === 'end') return clauses;
  while (true) {
    const ident = next();
    if (ident.kind !== 'ident' || keyword(ident) === 'AND' || keyword(ident) === 'OR') {
      const before = tokens[i - 2]?.raw;
      const where = before === undefined ? '' : ` after '${shortText(before)}'`;
      throw invalid(`Invalid clause(s) in filter string: expected a comparison such as metrics.acc > 0.9${where}, found ${found(ident)}.`);
    }
    const comparator = readComparator(ident);
    clauses.push({ ident, comparator, value: readValue(ident, comparator) });

    const joiner = next();
    if (joiner.kind === 'end') return clauses;
    if (keyword(joiner) === 'OR') {
      throw invalid(`Invalid clause(s) in filter string: '${shortText(joiner.raw)}'. Only AND can join comparisons; OR is not supported.`);
    }
    if (keyword(joiner) !== 'AND') {
      throw invalid(`Invalid clause(s) in filter string: '${shortText(joiner.raw)}'. Expected AND or the end of the filter.`);
    }
  }
}

/** Entity and key an identifier names: `metrics.acc`, `tags."mlflow.runName"`, or a bare attribute. */
function resolveIdentifier(ident: IdentToken, schema: Schema): { entity: FilterEntity; key: string; written: string } {
  const [first, ...rest] = ident.parts;
  let entity: FilterEntity = 'attribute';
  // Stryker disable next-line StringLiteral: an identifier token always has a first part; the fallback only satisfies the type
  let written = first?.text ?? '';
  if (rest.length > 0) {
    const named = schema.entities.get(written);
    if (named === undefined) throw invalid(schema.entityError(written));
    entity = named;
    written = rest.map((part) => part.text).join('.');
  }
  if (entity === 'attribute') {
    const key = schema.attributes.get(written);
    if (key === undefined) {
      throw invalid(`Invalid attribute key '${written}' specified. Valid keys are '{${pyItems([...schema.attributes.keys()])}}'`);
    }
    return { entity, key, written };
  }
  if (entity === 'dataset' && !DATASET_KEYS.includes(written)) {
    throw invalid(`Invalid dataset key '${written}' specified. Valid keys are '{${pyItems(DATASET_KEYS)}}'`);
  }
  if (written === '') {
    throw invalid(
      `Invalid identifier '${shortText(ident.raw)}'. Columns should be specified as 'attribute.<key>', 'metric.<key>', 'tag.<key>', 'dataset.<key>', or 'param.'.`,
    );
  }
  return { entity, key: written, written };
}

function checkComparator(comparator: string, allowed: readonly Comparator[]): Comparator {
  const found = allowed.find((c) => c === comparator);
  // No closing quote: this is MLflow's message exactly as its server sends it.
  if (found === undefined) throw invalid(`Invalid comparator '${comparator}' not one of '{${pyItems(allowed)}}`);
  return found;
}

function numberValue(value: RawClause['value'], message: string): number {
  if (value.kind !== 'number') throw invalid(message);
  return value.value;
}

function stringValue(value: RawClause['value'], message: string): string {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'word') {
    throw invalid(
      `Parameter value is either not quoted or unidentified quote types used for string value ${shortText(value.raw)}. Use either single or double quotes.`,
    );
  }
  throw invalid(message);
}

function listValue(value: Extract<RawClause['value'], { kind: 'list' }>): string[] {
  if (value.items.length === 0) {
    throw invalid('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  }
  return value.items.map((item) => {
    if (item.kind === 'string') return item.value;
    const [only, ...more] = item.kind === 'ident' ? item.parts : [];
    if (only?.quote === '"' && more.length === 0) return only.text;
    throw invalid(
      `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${shortText(value.raw)}`,
    );
  });
}

/** String comparison that may take a list: the list and IN / NOT IN only make sense together. */
function stringOrList(clause: RawClause, value: string | string[], allowed: readonly Comparator[]): Comparator {
  const comparator = checkComparator(clause.comparator, allowed);
  const isList = Array.isArray(value);
  const wantsList = comparator === 'IN' || comparator === 'NOT IN';
  if (isList && !wantsList) throw invalid(`Comparator '${comparator}' cannot compare with a list of values; use IN or NOT IN.`);
  if (wantsList && !isList) {
    throw invalid(
      `${comparator} expects a parenthesised list of quoted strings, e.g. ${shortText(clause.ident.raw)} ${comparator} ('a', 'b'). Got value ${shortText(clause.value.raw)}`,
    );
  }
  return comparator;
}

/** Applies the entity's rules. Like MLflow, the value is checked before the comparator. */
function toClause(clause: RawClause, schema: Schema): FilterClause {
  const { entity, key, written } = resolveIdentifier(clause.ident, schema);
  const raw = clause.value;
  switch (entity) {
    case 'metric': {
      const value = numberValue(raw, `Expected numeric value type for metric. Found ${shortText(raw.raw)}`);
      return { entity, key, comparator: checkComparator(clause.comparator, NUMERIC_COMPARATORS), value };
    }
    case 'param':
    case 'tag': {
      const noun = entity === 'param' ? 'parameter' : 'tag';
      if (schema.subjectLists) {
        const value = raw.kind === 'list' ? listValue(raw) : stringValue(raw, `Expected a quoted string value for ${noun} (e.g. 'my-value'). Got value ${shortText(raw.raw)}`);
        return { entity, key, comparator: stringOrList(clause, value, LIST_COMPARATORS), value };
      }
      const value = stringValue(raw, `Expected a quoted string value for ${noun} (e.g. 'my-value'). Got value ${shortText(raw.raw)}`);
      return { entity, key, comparator: checkComparator(clause.comparator, STRING_COMPARATORS), value };
    }
    case 'dataset': {
      const value =
        raw.kind === 'list' ? listValue(raw) : stringValue(raw, `Expected a quoted string value for dataset attributes. Got value ${shortText(raw.raw)}`);
      return { entity, key, comparator: stringOrList(clause, value, LIST_COMPARATORS), value };
    }
    case 'attribute': {
      if (schema.numericAttributes.has(key)) {
        const value = numberValue(raw, `Expected numeric value type for numeric attribute: ${written}. Found ${shortText(raw.raw)}`);
        return { entity, key, comparator: checkComparator(clause.comparator, NUMERIC_COMPARATORS), value };
      }
      let value: string | string[];
      if (raw.kind === 'list') {
        if (!schema.listAttributes.has(key)) {
          throw invalid(
            schema.listAttributes.size > 0
              ? "Only the 'run_id' attribute supports comparison with a list of quoted string values."
              : `The '${written}' attribute does not support comparison with a list of values.`,
          );
        }
        value = listValue(raw);
      } else {
        value = stringValue(raw, `Expected a quoted string value for attributes. Got value ${shortText(raw.raw)}`);
      }
      return { entity, key, comparator: stringOrList(clause, value, schema.stringAttributeComparators), value };
    }
  }
}

/**
 * Bounds on a filter's size. Each clause becomes a subquery and each listed value a bound
 * variable; SQLite refuses past its own limits (expression depth 1000, 32766 variables, 64
 * tables in a join), and those refusals must reach the user as their mistake, not a 500.
 */
export const FILTER_LIMITS = { characters: 500_000, clauses: 200, listValues: 10_000, orderBy: 20 } as const;

function checkFilterSize(clauses: readonly FilterClause[]): FilterClause[] {
  if (clauses.length > FILTER_LIMITS.clauses) {
    throw invalid(`The filter has ${clauses.length} clauses; at most ${FILTER_LIMITS.clauses} can be AND-ed together.`);
  }
  const values = clauses.reduce((sum, c) => sum + (Array.isArray(c.value) ? c.value.length : 0), 0);
  if (values > FILTER_LIMITS.listValues) {
    throw invalid(`The filter's IN lists hold ${values} values; at most ${FILTER_LIMITS.listValues} in all.`);
  }
  return [...clauses];
}

/** Parses a runs/search filter, e.g. `metrics.acc > 0.5 and params.lr = '0.01'`. Empty → []. */
export function parseSearchFilter(filter: string | undefined | null, dialect: SearchDialect = 'mlflow'): FilterClause[] {
  if (!filter) return [];
  const schema = dialect === 'orrery' ? ORRERY_RUN_SCHEMA : RUN_SCHEMA;
  return checkFilterSize(parseClauses(filter).map((clause) => toClause(clause, schema)));
}

/** Parses an experiments/search filter: attributes name, creation_time, last_update_time, and tags. */
export function parseExperimentFilter(filter: string | undefined | null): FilterClause[] {
  if (!filter) return [];
  return checkFilterSize(parseClauses(filter).map((clause) => toClause(clause, EXPERIMENT_SCHEMA)));
}

function parseOrderByClause(clause: string): OrderClause {
  const unparsable = () => invalid(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  const [ident, direction, end] = tokenize(clause, 'order_by clause');
  if (ident?.kind !== 'ident') throw unparsable();
  let ascending = true;
  if (direction?.kind !== 'end') {
    if (direction?.kind !== 'ident') throw unparsable();
    const word = keyword(direction);
    if (word !== 'ASC' && word !== 'DESC') throw invalid(`Invalid ordering key in order_by clause '${clause}'.`);
    if (end?.kind !== 'end') throw unparsable();
    ascending = word === 'ASC';
  }
  const { entity, key } = resolveIdentifier(ident, RUN_SCHEMA);
  if (entity === 'dataset') throw invalid(`Invalid order_by entity type '${entity}'`);
  return { entity, key, ascending };
}

/** Parses runs/search order_by: `metrics.acc DESC`, `params.lr`, `attributes.start_time ASC`. */
export function parseOrderBy(orderBy: readonly string[] | undefined): OrderClause[] {
  if (!orderBy) return [];
  if (orderBy.length > FILTER_LIMITS.orderBy) throw invalid(`order_by has ${orderBy.length} fields; at most ${FILTER_LIMITS.orderBy}.`);
  const seen = new Set<string>();
  return orderBy.map((text) => {
    const clause = parseOrderByClause(text);
    // Checked on the resolved key, so `created` and `start_time` count as the same field.
    const field = `${clause.entity}.${clause.key}`;
    if (seen.has(field)) throw invalid(`\`order_by\` contains duplicate fields: [${pyItems(orderBy)}]`);
    seen.add(field);
    return clause;
  });
}
