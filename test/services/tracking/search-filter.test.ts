import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../../shared/errors';
import { FILTER_LIMITS, parseExperimentFilter, parseOrderBy, parseSearchFilter } from '../../../electron/services/tracking/search-filter';

/** The message of the OrreryError `run` throws; fails the test if it throws anything else. */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OrreryError);
    expect((error as OrreryError).code).toBe('INVALID_INPUT');
    return (error as OrreryError).message;
  }
  throw new Error('expected an error');
}

const filterError = (filter: string) => errorOf(() => parseSearchFilter(filter));

describe('parseSearchFilter', () => {
  it('returns no clauses for an empty or missing filter', () => {
    expect(parseSearchFilter(undefined)).toEqual([]);
    expect(parseSearchFilter(null)).toEqual([]);
    expect(parseSearchFilter('')).toEqual([]);
    expect(parseSearchFilter('   ')).toEqual([]);
  });

  it('parses the filter MLflow 3.6 accepted in the transcript', () => {
    expect(parseSearchFilter("metrics.acc > 0.5 and params.lr = '0.01'")).toEqual([
      { entity: 'metric', key: 'acc', comparator: '>', value: 0.5 },
      { entity: 'param', key: 'lr', comparator: '=', value: '0.01' },
    ]);
  });

  it("refuses '>>' with MLflow 3.6's exact message", () => {
    expect(filterError('metrics.acc >> 0.5')).toBe("Invalid comparator '>>' not one of '{'!=', '<=', '>=', '=', '<', '>'}");
  });

  it('joins clauses with AND in any case', () => {
    const clauses = parseSearchFilter("metrics.a < 1 AND metrics.b >= 2 aNd tags.t != 'x'");
    expect(clauses.map((c) => c.comparator)).toEqual(['<', '>=', '!=']);
  });

  it('refuses OR, dangling AND and trailing garbage', () => {
    expect(filterError('metrics.a > 1 OR metrics.b > 2')).toBe(
      "Invalid clause(s) in filter string: 'OR'. Only AND can join comparisons; OR is not supported.",
    );
    expect(filterError('metrics.a > 1 or metrics.b > 2')).toContain("'or'. Only AND");
    expect(filterError('metrics.a > 1 AND')).toBe(
      "Invalid clause(s) in filter string: expected a comparison such as metrics.acc > 0.9 after 'AND', found the end of the filter.",
    );
    expect(filterError('AND metrics.a > 1')).toContain("expected a comparison such as metrics.acc > 0.9, found 'AND'");
    expect(filterError('metrics.a > 1 metrics.b > 2')).toBe(
      "Invalid clause(s) in filter string: 'metrics.b'. Expected AND or the end of the filter.",
    );
    expect(filterError('(metrics.a > 1)')).toContain("found '('");
    expect(filterError('metrics.a > 1; metrics.b > 2')).toBe(
      "Search filter contained multiple expression 'metrics.a > 1; metrics.b > 2'. Provide AND-ed expression list.",
    );
  });

  it('accepts every entity prefix MLflow does', () => {
    const entityOf = (filter: string) => parseSearchFilter(filter)[0]?.entity;
    for (const prefix of ['metric', 'metrics']) expect(entityOf(`${prefix}.a > 1`)).toBe('metric');
    for (const prefix of ['param', 'params', 'parameter', 'parameters']) expect(entityOf(`${prefix}.a = 'x'`)).toBe('param');
    for (const prefix of ['tag', 'tags']) expect(entityOf(`${prefix}.a = 'x'`)).toBe('tag');
    for (const prefix of ['attribute', 'attributes', 'attr', 'run']) expect(entityOf(`${prefix}.status = 'x'`)).toBe('attribute');
    for (const prefix of ['dataset', 'datasets']) expect(entityOf(`${prefix}.name = 'x'`)).toBe('dataset');
    expect(entityOf("`params`.a = 'x'")).toBe('param');
  });

  it('refuses an unknown entity with the valid ones listed', () => {
    expect(filterError('metricz.a > 1')).toBe("Invalid entity type 'metricz'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']");
    // Entity names are case-sensitive in MLflow.
    expect(filterError('Metrics.a > 1')).toContain("Invalid entity type 'Metrics'");
  });

  it('reads quoted and dotted keys', () => {
    expect(parseSearchFilter('metrics.`my metric` > 1')[0]?.key).toBe('my metric');
    expect(parseSearchFilter('tags."mlflow.runName" = \'x\'')[0]?.key).toBe('mlflow.runName');
    expect(parseSearchFilter("tags.mlflow.runName = 'x'")[0]?.key).toBe('mlflow.runName');
    expect(parseSearchFilter('metrics.`a``b` > 1')[0]?.key).toBe('a`b');
    expect(parseSearchFilter('metrics.loss_1>0')[0]).toEqual({ entity: 'metric', key: 'loss_1', comparator: '>', value: 0 });
  });

  it('refuses an empty key', () => {
    expect(filterError('metrics.`` > 1')).toBe(
      "Invalid identifier 'metrics.``'. Columns should be specified as 'attribute.<key>', 'metric.<key>', 'tag.<key>', 'dataset.<key>', or 'param.'.",
    );
    expect(filterError('metrics. acc > 1')).toContain("expected a name after '.' at character 9.");
  });

  it('normalises attribute names and their aliases', () => {
    const keyOf = (filter: string) => parseSearchFilter(filter)[0]?.key;
    for (const key of ['run_id', 'run_name', 'user_id', 'status', 'artifact_uri']) expect(keyOf(`attributes.${key} = 'x'`)).toBe(key);
    expect(keyOf('attributes.start_time > 1')).toBe('start_time');
    expect(keyOf('attributes.end_time > 1')).toBe('end_time');
    expect(keyOf('attributes.created > 1')).toBe('start_time');
    expect(keyOf('attributes.Created > 1')).toBe('start_time');
    expect(keyOf("attributes.`Run Name` = 'x'")).toBe('run_name');
    expect(keyOf('attributes."run name" = \'x\'')).toBe('run_name');
    // A bare name is an attribute, as in MLflow.
    expect(parseSearchFilter("status = 'FINISHED'")).toEqual([{ entity: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' }]);
  });

  it('refuses attributes MLflow cannot search, lifecycle_stage included', () => {
    expect(filterError("attributes.lifecycle_stage = 'active'")).toBe(
      "Invalid attribute key 'lifecycle_stage' specified. Valid keys are '{'run_id', 'run_name', 'user_id', 'status', 'start_time', 'end_time', 'artifact_uri', 'created', 'Created', 'run name', 'Run name', 'Run Name'}'",
    );
    expect(filterError("experiment_id = '1'")).toContain("Invalid attribute key 'experiment_id'");
  });

  it('reads negative, fractional and scientific numbers', () => {
    const valueOf = (filter: string) => parseSearchFilter(filter)[0]?.value;
    expect(valueOf('metrics.a > -1')).toBe(-1);
    expect(valueOf('metrics.a>-0.5')).toBe(-0.5);
    expect(valueOf('metrics.a > .5')).toBe(0.5);
    expect(valueOf('metrics.a < 1e-3')).toBe(0.001);
    expect(valueOf('metrics.a < 2.5E+2')).toBe(250);
    expect(valueOf('attributes.start_time >= 1764130000000')).toBe(1764130000000);
  });

  it('refuses malformed numbers and inf, as MLflow does', () => {
    expect(filterError('metrics.a > 1e')).toBe("Invalid filter 'metrics.a > 1e': malformed number '1e' at character 13.");
    expect(filterError('metrics.a > 0.5.1')).toContain("malformed number '0.5.1'");
    expect(filterError('metrics.a > inf')).toBe('Expected numeric value type for metric. Found inf');
    expect(filterError('metrics.a > - 1')).toContain("unexpected character '-' at character 13.");
  });

  it('allows only numeric comparators and numbers for metrics', () => {
    for (const comparator of ['=', '!=', '>', '>=', '<', '<=']) {
      expect(parseSearchFilter(`metrics.a ${comparator} 1`)[0]?.comparator).toBe(comparator);
    }
    expect(filterError("metrics.a > '0.5'")).toBe("Expected numeric value type for metric. Found '0.5'");
    expect(filterError("metrics.a LIKE '1%'")).toBe("Expected numeric value type for metric. Found '1%'");
    expect(filterError('metrics.a like 1')).toBe("Invalid comparator 'LIKE' not one of '{'!=', '<=', '>=', '=', '<', '>'}");
    expect(filterError('metrics.a <> 1')).toContain("Invalid comparator '<>'");
    expect(filterError('metrics.a == 1')).toContain("Invalid comparator '=='");
  });

  it('allows string comparators and quoted strings for params and tags', () => {
    expect(parseSearchFilter("params.a LIKE 'x%' and tags.b ilike \"Y%\" and params.c != 'z'")).toEqual([
      { entity: 'param', key: 'a', comparator: 'LIKE', value: 'x%' },
      { entity: 'tag', key: 'b', comparator: 'ILIKE', value: 'Y%' },
      { entity: 'param', key: 'c', comparator: '!=', value: 'z' },
    ]);
    expect(filterError("params.a > 'x'")).toBe("Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE'}");
    expect(filterError("tags.a NOT LIKE 'x'")).toContain("Invalid comparator 'NOT LIKE'");
    expect(filterError('params.lr = 0.01')).toBe("Expected a quoted string value for parameter (e.g. 'my-value'). Got value 0.01");
    expect(filterError('tags.t = 1')).toBe("Expected a quoted string value for tag (e.g. 'my-value'). Got value 1");
    expect(filterError('params.lr = abc')).toBe(
      'Parameter value is either not quoted or unidentified quote types used for string value abc. Use either single or double quotes.',
    );
    expect(filterError('params.lr = `abc`')).toContain('not quoted or unidentified quote types used for string value `abc`');
  });

  it('unescapes doubled and backslashed quotes in values', () => {
    const valueOf = (filter: string) => parseSearchFilter(filter)[0]?.value;
    expect(valueOf("params.a = 'it''s'")).toBe("it's");
    expect(valueOf("params.a = 'it\\'s'")).toBe("it's");
    expect(valueOf('params.a = "say ""hi"""')).toBe('say "hi"');
    // Other backslashes stay as written, as in MLflow.
    expect(valueOf("params.path = 'C:\\data\\\\'")).toBe('C:\\data\\\\');
  });

  it('refuses unterminated quotes', () => {
    expect(filterError("params.a = 'x")).toBe("Invalid filter 'params.a = 'x': unterminated string starting at character 12.");
    expect(filterError('tags."a = \'x\'')).toContain('unterminated quoted name starting at character 6.');
  });

  it('types attribute values: numbers for times, strings for the rest', () => {
    expect(parseSearchFilter("attributes.status = 'FINISHED' and attributes.end_time < 5")).toEqual([
      { entity: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
      { entity: 'attribute', key: 'end_time', comparator: '<', value: 5 },
    ]);
    expect(filterError("attributes.created > '5'")).toBe("Expected numeric value type for numeric attribute: created. Found '5'");
    expect(filterError('attributes.status = 5')).toBe('Expected a quoted string value for attributes. Got value 5');
    expect(filterError('attributes.start_time LIKE 5')).toBe("Invalid comparator 'LIKE' not one of '{'!=', '<=', '>=', '=', '<', '>'}");
    expect(filterError("attributes.run_name > 'a'")).toBe(
      "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}",
    );
  });

  it('takes IN and NOT IN lists for run_id', () => {
    expect(parseSearchFilter("attributes.run_id IN ('a1', \"b2\") and run_id not in ('c3')")).toEqual([
      { entity: 'attribute', key: 'run_id', comparator: 'IN', value: ['a1', 'b2'] },
      { entity: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['c3'] },
    ]);
  });

  it('refuses lists elsewhere and malformed lists', () => {
    expect(filterError("attributes.run_name IN ('a')")).toBe("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    expect(filterError("params.a IN ('a')")).toBe("Expected a quoted string value for parameter (e.g. 'my-value'). Got value ('a')");
    expect(filterError('metrics.a IN (1, 2)')).toBe('Expected numeric value type for metric. Found (1, 2)');
    expect(filterError('run_id IN ()')).toBe('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
    expect(filterError("run_id IN ('a', 1)")).toBe(
      "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)",
    );
    for (const list of ["('a' 'b')", "('a',)", "('a'", "(('a'))"]) {
      expect(filterError(`run_id IN ${list}`)).toBe(
        'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
      );
    }
    expect(filterError("run_id = ('a')")).toBe("Comparator '=' cannot compare with a list of values; use IN or NOT IN.");
    expect(filterError("run_id IN 'a'")).toBe(
      "IN expects a parenthesised list of quoted strings, e.g. run_id IN ('a', 'b'). Got value 'a'",
    );
  });

  it("the runs table's dialect takes IN and NOT IN on params, tags and every string attribute", () => {
    expect(parseSearchFilter("params.lr IN ('0.1', \"0.01\") and tags.`team` not in ('ml') and status IN ('FAILED', 'KILLED') and run_name IN ('a')", 'orrery')).toEqual([
      { entity: 'param', key: 'lr', comparator: 'IN', value: ['0.1', '0.01'] },
      { entity: 'tag', key: 'team', comparator: 'NOT IN', value: ['ml'] },
      { entity: 'attribute', key: 'status', comparator: 'IN', value: ['FAILED', 'KILLED'] },
      { entity: 'attribute', key: 'run_name', comparator: 'IN', value: ['a'] },
    ]);
    // Everything MLflow takes reads the same.
    expect(parseSearchFilter("params.lr = '1' and run_id IN ('a')", 'orrery')).toEqual(parseSearchFilter("params.lr = '1' and run_id IN ('a')"));
    const orreryError = (filter: string) => errorOf(() => parseSearchFilter(filter, 'orrery'));
    expect(orreryError('params.lr IN ()')).toBe('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
    expect(orreryError("tags.t IN ('a', 1)")).toBe(
      "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)",
    );
    expect(orreryError("params.lr IN '0.1'")).toBe("IN expects a parenthesised list of quoted strings, e.g. params.lr IN ('a', 'b'). Got value '0.1'");
    expect(orreryError("params.lr = ('0.1')")).toBe("Comparator '=' cannot compare with a list of values; use IN or NOT IN.");
    expect(orreryError("params.lr > '1'")).toBe("Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}");
    expect(orreryError('start_time IN (1, 2)')).toBe('Expected numeric value type for numeric attribute: start_time. Found (1, 2)');
    expect(orreryError("metrics.acc IN ('1')")).toBe("Expected numeric value type for metric. Found ('1')");
  });

  it('filters on dataset name, digest and context', () => {
    expect(parseSearchFilter("datasets.name = 'digits' and dataset.digest IN ('abc123') and datasets.context LIKE 'train%'")).toEqual([
      { entity: 'dataset', key: 'name', comparator: '=', value: 'digits' },
      { entity: 'dataset', key: 'digest', comparator: 'IN', value: ['abc123'] },
      { entity: 'dataset', key: 'context', comparator: 'LIKE', value: 'train%' },
    ]);
    expect(filterError("datasets.source = 'x'")).toBe("Invalid dataset key 'source' specified. Valid keys are '{'name', 'digest', 'context'}'");
    expect(filterError('datasets.name = 1')).toBe('Expected a quoted string value for dataset attributes. Got value 1');
    expect(filterError("datasets.name > 'a'")).toContain("Invalid comparator '>' not one of");
  });

  it('names a missing comparator or value', () => {
    expect(filterError('metrics.acc 0.5')).toBe("Invalid comparison clause. Expected comparison after 'metrics.acc', found '0.5'.");
    expect(filterError('metrics.acc')).toBe("Invalid comparison clause. Expected comparison after 'metrics.acc', found the end of the filter.");
    expect(filterError('metrics.acc NOT 1')).toContain("Expected comparison after 'metrics.acc', found 'NOT'.");
    expect(filterError('metrics.acc >')).toBe("Invalid comparison clause. Expected value token after 'metrics.acc >', found the end of the filter.");
    expect(filterError('metrics.acc > AND metrics.b > 1')).toBe(
      "Invalid comparison clause. Expected value token after 'metrics.acc >', found 'AND'.",
    );
    expect(filterError('metrics.acc > 1 # x')).toBe("Invalid filter 'metrics.acc > 1 # x': unexpected character '#' at character 17.");
  });
});

describe('parseExperimentFilter', () => {
  const experimentError = (filter: string) => errorOf(() => parseExperimentFilter(filter));

  it('parses the transcript filter and the attribute and tag forms', () => {
    expect(parseExperimentFilter("name LIKE 'gold%'")).toEqual([{ entity: 'attribute', key: 'name', comparator: 'LIKE', value: 'gold%' }]);
    expect(parseExperimentFilter("attribute.creation_time > 5 and attributes.last_update_time <= 9 and tags.team = 'vision'")).toEqual([
      { entity: 'attribute', key: 'creation_time', comparator: '>', value: 5 },
      { entity: 'attribute', key: 'last_update_time', comparator: '<=', value: 9 },
      { entity: 'tag', key: 'team', comparator: '=', value: 'vision' },
    ]);
    expect(parseExperimentFilter(undefined)).toEqual([]);
  });

  it('refuses run entities, unknown attributes and run-only forms', () => {
    expect(experimentError('metrics.a > 1')).toBe("Invalid entity type 'metrics'. Valid entity types are ('attribute', 'attributes', 'tag', 'tags')");
    expect(experimentError("status = 'x'")).toBe(
      "Invalid attribute key 'status' specified. Valid keys are '{'name', 'creation_time', 'last_update_time'}'",
    );
    expect(experimentError("name IN ('a')")).toBe("The 'name' attribute does not support comparison with a list of values.");
    expect(experimentError("name > 'a'")).toBe("Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE'}");
    expect(experimentError("creation_time > '5'")).toBe("Expected numeric value type for numeric attribute: creation_time. Found '5'");
    expect(experimentError('name = x OR name = y')).toContain("Invalid clause(s) in filter string: 'OR'");
  });
});

describe('parseOrderBy', () => {
  const orderError = (...orderBy: string[]) => errorOf(() => parseOrderBy(orderBy));

  it('parses entity, key and direction, ascending by default', () => {
    expect(parseOrderBy(undefined)).toEqual([]);
    expect(parseOrderBy(['metrics.acc DESC', 'params.lr', 'attributes.start_time ASC', 'tags.t desc'])).toEqual([
      { entity: 'metric', key: 'acc', ascending: false },
      { entity: 'param', key: 'lr', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: true },
      { entity: 'tag', key: 't', ascending: false },
    ]);
  });

  it('reads quoted names, bare attributes and aliases', () => {
    expect(parseOrderBy(['`tags`.`x y` DESC', 'metrics."my.metric"', 'end_time', 'attributes.Created DESC'])).toEqual([
      { entity: 'tag', key: 'x y', ascending: false },
      { entity: 'metric', key: 'my.metric', ascending: true },
      { entity: 'attribute', key: 'end_time', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: false },
    ]);
  });

  it('refuses a bad direction or extra words', () => {
    expect(orderError('metrics.acc DOWN')).toBe("Invalid ordering key in order_by clause 'metrics.acc DOWN'.");
    expect(orderError('metrics.acc DESC NULLS')).toBe("Invalid order_by clause 'metrics.acc DESC NULLS'. Could not be parsed.");
    expect(orderError('metrics.acc > 1')).toBe("Invalid order_by clause 'metrics.acc > 1'. Could not be parsed.");
    expect(orderError('')).toBe("Invalid order_by clause ''. Could not be parsed.");
    expect(orderError('tags.`x DESC')).toContain('unterminated quoted name');
  });

  it('refuses unknown entities and keys, datasets and duplicates', () => {
    expect(orderError('foo.bar')).toContain("Invalid entity type 'foo'");
    expect(orderError('attributes.lifecycle_stage')).toContain("Invalid attribute key 'lifecycle_stage' specified.");
    expect(orderError('datasets.name')).toBe("Invalid order_by entity type 'dataset'");
    expect(orderError('attributes.start_time', 'created DESC')).toBe(
      "`order_by` contains duplicate fields: ['attributes.start_time', 'created DESC']",
    );
  });
});

describe('filter grammar at its edges, with the messages a user sees', () => {
  it.each([
    ["params.x RLIKE 'a'", "Invalid comparator 'RLIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE'}"],
    ["params.x NOT ILIKE 'a'", "Invalid comparator 'NOT ILIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE'}"],
    ["params.x NOT = 'a'", "Invalid comparison clause. Expected comparison after 'params.x', found 'NOT'."],
    ["attributes.run_id IN ('a' 'b')", 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ["attributes.run_id IN ('a',)", 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ['metrics.a > OR', "Invalid comparison clause. Expected value token after 'metrics.a >', found 'OR'."],
    ['OR metrics.a > 1', "Invalid clause(s) in filter string: expected a comparison such as metrics.acc > 0.9, found 'OR'."],
    ['metrics.a > 1 AND OR metrics.b > 1', "Invalid clause(s) in filter string: expected a comparison such as metrics.acc > 0.9 after 'AND', found 'OR'."],
    ['params.x = "a"."b"', 'Parameter value is either not quoted or unidentified quote types used for string value "a"."b". Use either single or double quotes.'],
    ["params.`a\\`b` = '1'", "Invalid filter 'params.`a\\`b` = '1'': unterminated quoted name starting at character 13."],
    ["params.x FOO LIKE 'a'", "Invalid comparison clause. Expected comparison after 'params.x', found 'FOO'."],
    ["attributes.run_id IN ('a', >)", 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ["attributes.run_id IN ('a' 'b' 'c')", 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ['metrics.a > 1 AND.x metrics.b > 2', "Invalid clause(s) in filter string: 'AND.x'. Expected AND or the end of the filter."],
    ['attributes.run_id IN ("a"."b")', 'While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ("a"."b")'],
  ])('%s', (filter, message) => {
    expect(filterError(filter)).toBe(message);
  });

  it('reads a double-quoted value as a string, and a backslash inside backticks as itself', () => {
    expect(parseSearchFilter('params.x = "ab"')).toEqual([{ entity: 'param', key: 'x', comparator: '=', value: 'ab' }]);
    expect(parseSearchFilter("params.`a\\\\b` = 'it\\'s'")).toEqual([{ entity: 'param', key: 'a\\\\b', comparator: '=', value: "it's" }]);
    expect(parseSearchFilter('attributes.run_id IN ("a", "b")')).toEqual([{ entity: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] }]);
  });

  it('names the order_by clause it could not read', () => {
    expect(errorOf(() => parseOrderBy(['`a']))).toBe("Invalid order_by clause '`a': unterminated quoted name starting at character 1.");
  });
});

describe('filter size limits, exactly at the limit and one over', () => {
  const clause = (i: number) => `params.p${i} = 'v'`;
  const andOf = (n: number) => Array.from({ length: n }, (_, i) => clause(i)).join(' AND ');
  const idList = (n: number) => `(${Array.from({ length: n }, (_, i) => `'r${i}'`).join(',')})`;

  it('characters', () => {
    const base = "params.p = '";
    const filterOf = (length: number) => `${base}${'x'.repeat(length - base.length - 1)}'`;
    expect(parseSearchFilter(filterOf(FILTER_LIMITS.characters))).toHaveLength(1);
    expect(filterError(filterOf(FILTER_LIMITS.characters + 1))).toBe(`The filter is ${FILTER_LIMITS.characters + 1} characters long; at most ${FILTER_LIMITS.characters}.`);
  });

  it('clauses', () => {
    expect(parseSearchFilter(andOf(FILTER_LIMITS.clauses))).toHaveLength(FILTER_LIMITS.clauses);
    expect(filterError(andOf(FILTER_LIMITS.clauses + 1))).toBe(`The filter has ${FILTER_LIMITS.clauses + 1} clauses; at most ${FILTER_LIMITS.clauses} can be AND-ed together.`);
  });

  it('IN list values, counted over all lists', () => {
    const half = FILTER_LIMITS.listValues / 2;
    const twoLists = (a: number, b: number) => `attributes.run_id IN ${idList(a)} AND attributes.run_id NOT IN ${idList(b)}`;
    expect(parseSearchFilter(twoLists(half, half))).toHaveLength(2);
    expect(filterError(twoLists(half, half + 1))).toBe(`The filter's IN lists hold ${FILTER_LIMITS.listValues + 1} values; at most ${FILTER_LIMITS.listValues} in all.`);
  });

  it('order_by fields', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `params.p${i}`);
    expect(parseOrderBy(fields(FILTER_LIMITS.orderBy))).toHaveLength(FILTER_LIMITS.orderBy);
    expect(errorOf(() => parseOrderBy(fields(FILTER_LIMITS.orderBy + 1)))).toBe(`order_by has ${FILTER_LIMITS.orderBy + 1} fields; at most ${FILTER_LIMITS.orderBy}.`);
  });
});
