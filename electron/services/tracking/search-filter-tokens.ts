import { OrreryError } from '../../../shared/errors';
import { shortText } from '../../../shared/tracking-limits';

/**
 * Lexer for MLflow's search syntax (filters and order_by clauses). MLflow runs these strings
 * through sqlparse; this covers the subset its search grammar uses, with clearer errors.
 */

/** One dot-separated piece of an identifier, quotes removed: `metrics`, `` `my metric` ``, `"mlflow.runName"`. */
export interface IdentPart {
  text: string;
  quote: '' | '"' | '`';
}

interface At {
  /** The token as written, for error messages. */
  raw: string;
  /** Offset in the source. */
  pos: number;
}

export type Token =
  | (At & { kind: 'ident'; parts: IdentPart[] })
  | (At & { kind: 'string'; value: string })
  | (At & { kind: 'number'; value: number })
  | (At & { kind: 'op' | 'lparen' | 'rparen' | 'comma' | 'semicolon' | 'end' });

// sqlparse reads any run of these as one comparison operator, so `>>` reaches the comparator
// check (and gets MLflow's "Invalid comparator" message) instead of failing as two tokens.
const OPERATOR = /[<>=~!]+/y;
// sqlparse's numbers, plus an explicit `+` in the exponent.
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const BARE = /[\p{L}\p{N}_]+/uy;
const IDENT_START = /[\p{L}_"`]/u;
const PUNCTUATION = new Map<string, 'lparen' | 'rparen' | 'comma' | 'semicolon'>([
  ['(', 'lparen'],
  [')', 'rparen'],
  [',', 'comma'],
  [';', 'semicolon'],
]);

function matchAt(re: RegExp, source: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(source)?.[0];
}

/** Splits `source` into tokens ending with an `end` token; `what` names it in errors ("filter"). */
export function tokenize(source: string, what: string): Token[] {
  const fail = (detail: string) => new OrreryError('INVALID_INPUT', `Invalid ${what} '${shortText(source)}': ${detail}`);
  const tokens: Token[] = [];
  let i = 0;

  /** Reads a quoted run starting at `start`; a doubled quote (and, except in backticks, `\` + quote) escapes it. */
  const readQuoted = (start: number, quote: string, kind: string): { value: string; end: number } => {
    let value = '';
    let j = start + 1;
    for (let ch = source[j]; ch !== undefined; ch = source[j]) {
      const next = source.charAt(j + 1);
      if (ch === '\\' && quote !== '`' && (next === quote || next === '\\')) {
        // `\\` stays as written (MLflow keeps backslashes); it is read as a pair so `'C:\\'` ends.
        value += next === quote ? quote : '\\\\';
        j += 2;
      } else if (ch === quote && next === quote) {
        value += quote;
        j += 2;
      } else if (ch === quote) {
        return { value, end: j + 1 };
      } else {
        value += ch;
        j += 1;
      }
    }
    throw fail(`unterminated ${kind} starting at character ${start + 1}.`);
  };

  while (true) {
    while (/\s/.test(source.charAt(i))) i++;
    if (i >= source.length) break;
    const start = i;
    const ch = source.charAt(i);
    const punctuation = PUNCTUATION.get(ch);

    if (ch === "'") {
      const { value, end } = readQuoted(i, "'", 'string');
      tokens.push({ kind: 'string', value, raw: source.slice(start, end), pos: start });
      i = end;
    } else if (IDENT_START.test(ch)) {
      // metrics.acc, tags."mlflow.runName", `params`.`my key`, or a lone "double-quoted" value.
      const parts: IdentPart[] = [];
      while (true) {
        const c = source.charAt(i);
        if (c === '"' || c === '`') {
          const { value, end } = readQuoted(i, c, 'quoted name');
          parts.push({ text: value, quote: c });
          i = end;
        } else {
          const bare = matchAt(BARE, source, i);
          if (bare === undefined) throw fail(`expected a name after '.' at character ${i + 1}.`);
          parts.push({ text: bare, quote: '' });
          i += bare.length;
        }
        if (source.charAt(i) !== '.') break;
        i++;
      }
      tokens.push({ kind: 'ident', parts, raw: source.slice(start, i), pos: start });
    } else if (punctuation) {
      tokens.push({ kind: punctuation, raw: ch, pos: start });
      i++;
    } else if (/[<>=~!]/.test(ch)) {
      const op = matchAt(OPERATOR, source, i) ?? ch;
      tokens.push({ kind: 'op', raw: op, pos: start });
      i += op.length;
    } else {
      const num = matchAt(NUMBER, source, i);
      if (num === undefined) throw fail(`unexpected character '${ch}' at character ${i + 1}.`);
      i += num.length;
      // `1abc`, `1e`, `0.5.1`: one malformed number, not a number followed by a name.
      const tail = matchAt(/[\p{L}\p{N}_.]+/uy, source, i);
      if (tail !== undefined) throw fail(`malformed number '${num}${tail}' at character ${start + 1}.`);
      tokens.push({ kind: 'number', value: Number(num), raw: num, pos: start });
    }
  }
  tokens.push({
    kind: 'end',
    // Stryker disable next-line StringLiteral: the end token's text is never shown; messages call it 'the end of the filter'
    raw: '',
    pos: source.length,
  });
  return tokens;
}
