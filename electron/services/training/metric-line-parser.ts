import { validateKey } from '../../../shared/tracking-limits';

/**
 * Metrics from scripts without a tracking client.
 *
 * Print one line per evaluation to stdout, of the form
 *
 *     ORRERY_METRICS {"step": 3, "loss": 0.25, "acc": 0.91}
 *
 * that is, `ORRERY_METRICS`, a space and a JSON object, at the very start of a line. Every key
 * other than `step` and `timestamp` is a metric; its value is a number, or "NaN", "Infinity" or
 * "-Infinity" (quoted, or bare as Python's json.dumps writes them). Metric keys follow MLflow's
 * rules: letters, digits, `_ - . : /` and spaces, at most 250 characters, not a path such as
 * `/loss` or `a/../b`. `step` is an optional whole number of at least 0; a line without it gets
 * the step after the previous line's (0 for the first line), so give `step` when you print more
 * than one line per step. `timestamp` is optional, in milliseconds since the Unix epoch (a value
 * below 1e11 is read as seconds, e.g. Python's time.time()); without it, the metrics carry the
 * time Orrery read the line. A line that starts with ORRERY_METRICS but is not valid logs nothing
 * (not even its valid keys): Orrery writes a warning saying why to the job's log and the job keeps
 * running. All other output is left alone. In Python:
 * `print("ORRERY_METRICS " + json.dumps({"step": epoch, "val_loss": val_loss}), flush=True)`.
 */

export const METRIC_LINE_PREFIX = 'ORRERY_METRICS';
/** MLflow's batch limit: a line with more metrics is refused. */
export const MAX_METRICS_PER_LINE = 1000;
/** Timestamps below this are seconds (1e11 ms is March 1973; 1e11 s is the year 5138). */
const SECONDS_BELOW = 1e11;

export interface MetricLineState {
  /** The step a line without `step` gets: one after the previous line's step. */
  nextStep: number;
}

export function createMetricLineState(): MetricLineState {
  return { nextStep: 0 };
}

export interface ParsedMetricLine {
  step: number;
  /** Milliseconds since the epoch, when the line gave one. */
  timestamp?: number;
  metrics: Array<{ key: string; value: number }>;
}

/** A line meant for Orrery that could not be used; `error` is a warning to show as is. */
export interface MetricLineError {
  error: string;
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

function fail(problem: string): MetricLineError {
  return { error: `${METRIC_LINE_PREFIX} line not logged: ${problem}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * One whole line of stdout (with or without its `\n` / `\r\n`): null when it is not a metrics
 * line, the metrics to log, or an error to warn about. Only a logged line moves state's step on.
 */
export function parseMetricLine(line: string, state: MetricLineState): ParsedMetricLine | MetricLineError | null {
  let text = line.replace(/[\r\n]+$/, '');
  // A bare \r returns the terminal's cursor (progress bars): what follows it is what shows.
  const cr = text.lastIndexOf('\r');
  if (cr >= 0) text = text.slice(cr + 1);
  if (!text.startsWith(METRIC_LINE_PREFIX)) return null;
  const rest = text.slice(METRIC_LINE_PREFIX.length);
  if (rest !== '' && !/^\s/.test(rest)) return null; // ORRERY_METRICSX… is someone else's
  const body = rest.trim();
  if (body === '') return fail(`expected a JSON object after ${METRIC_LINE_PREFIX}, e.g. ${METRIC_LINE_PREFIX} {"step": 3, "loss": 0.25}`);

  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteNonFinite(body));
  } catch (err) {
    return fail(`not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(parsed)) return fail(`expected a JSON object, got ${show(parsed)}`);

  const problems: string[] = [];
  let step = state.nextStep;
  if ('step' in parsed) {
    const raw = parsed.step;
    if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) step = raw;
    else problems.push(`"step" must be a whole number of at least 0, got ${show(raw)}`);
  }
  let timestamp: number | undefined;
  if ('timestamp' in parsed) {
    const raw = parsed.timestamp;
    const millis = typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? Math.round(raw < SECONDS_BELOW ? raw * 1000 : raw) : null;
    if (millis !== null && Number.isSafeInteger(millis)) timestamp = millis;
    else problems.push(`"timestamp" must be milliseconds since the epoch, got ${show(raw)}`);
  }

  const metrics: Array<{ key: string; value: number }> = [];
  for (const [key, raw] of Object.entries(parsed)) {
    if (key === 'step' || key === 'timestamp') continue;
    const keyProblem = checkKey(key);
    if (keyProblem !== null) {
      problems.push(`key ${show(key)} ${keyProblem}`);
      continue;
    }
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && Object.hasOwn(NON_FINITE, raw) ? NON_FINITE[raw] : undefined;
    if (value === undefined) {
      const hint = raw === null ? ' (JavaScript\'s JSON.stringify writes NaN as null: send "NaN")' : '';
      problems.push(`"${key}" must be a number or "NaN", "Infinity", "-Infinity", got ${show(raw)}${hint}`);
      continue;
    }
    metrics.push({ key, value });
  }
  if (problems.length === 0 && metrics.length === 0) problems.push('no metrics (keys other than "step" and "timestamp")');
  if (metrics.length > MAX_METRICS_PER_LINE) problems.push(`${metrics.length} metrics, more than the ${MAX_METRICS_PER_LINE} a line may carry`);
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    return fail(problems.length > 5 ? `${shown}; and ${problems.length - 5} more` : shown);
  }

  state.nextStep = step + 1;
  return timestamp === undefined ? { step, metrics } : { step, timestamp, metrics };
}

/** The tracking store's own check, so a parsed key is one the store accepts; null when valid. */
function checkKey(key: string): string | null {
  if (key === '') return 'must not be empty';
  try {
    validateKey(key, 'key');
    return null;
  } catch (err) {
    if (key.length > 250) return `is ${key.length} characters long, more than 250`;
    if (!/^[/\w.\- :]*$/.test(key)) return 'may only contain letters, digits, underscores, dashes, periods, spaces, colons and slashes';
    if (key.startsWith('/') || key.split('/').some((part) => part === '.' || part === '..')) {
      return 'must not be a path that starts with / or has . or .. parts';
    }
    return err instanceof Error ? err.message : String(err);
  }
}

/** Python's json.dumps writes NaN, Infinity and -Infinity bare; quote them (outside strings) for JSON.parse. */
function quoteNonFinite(text: string): string {
  if (!text.includes('NaN') && !text.includes('Infinity')) return text;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (text.startsWith('-Infinity', i)) {
      out += '"-Infinity"';
      i += 8;
    } else if (text.startsWith('Infinity', i)) {
      out += '"Infinity"';
      i += 7;
    } else if (text.startsWith('NaN', i)) {
      out += '"NaN"';
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}
