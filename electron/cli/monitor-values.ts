import { columnKinds, driftMethodNames, type ColumnKindName, type DriftMethodId } from '../../shared/contract/monitoring';

/**
 * Reads the values of `orrery monitor` and `orrery alerts` options. Each throws a plain Error whose
 * message starts with the option and says what is wrong; the caller turns it into a usage error.
 */

function fail(flag: string, problem: string, text: string): never {
  throw new Error(`${flag}: ${problem}, got '${text}'.`);
}

const NUMBER = /^(?:\d+(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?$/i;

/** Splits "NAME=VALUE" at the last '=' (a column name may hold one; kinds and methods never do). */
function nameAndValue(flag: string, text: string, shape: string): [string, string] {
  const eq = text.lastIndexOf('=');
  if (eq <= 0 || eq === text.length - 1) fail(flag, `must be ${shape}`, text);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** `--column NAME=numeric|categorical`, each given at most once per column. */
export function parseColumnKinds(flag: string, texts: readonly string[]): Record<string, ColumnKindName> {
  const kinds: Record<string, ColumnKindName> = {};
  for (const text of texts) {
    const [name, kind] = nameAndValue(flag, text, `NAME=${columnKinds.join('|')}`);
    if (!(columnKinds as readonly string[]).includes(kind)) fail(flag, `the kind of '${name}' must be ${columnKinds.join(' or ')}`, text);
    if (name in kinds) fail(flag, `column '${name}' is given more than once`, text);
    kinds[name] = kind as ColumnKindName;
  }
  return kinds;
}

/** `--method NAME=METHOD[:THRESHOLD]`; no threshold: the method's default. */
export function parseMethods(flag: string, texts: readonly string[]): Record<string, { method: DriftMethodId; threshold: number | null }> {
  const methods: Record<string, { method: DriftMethodId; threshold: number | null }> = {};
  for (const text of texts) {
    const [name, choice] = nameAndValue(flag, text, 'NAME=METHOD[:THRESHOLD], like age=psi:0.2');
    const colon = choice.indexOf(':');
    const method = colon === -1 ? choice : choice.slice(0, colon);
    if (!(driftMethodNames as readonly string[]).includes(method)) fail(flag, `unknown method '${method}' (one of ${driftMethodNames.join(', ')})`, text);
    let threshold: number | null = null;
    if (colon !== -1) {
      const digits = choice.slice(colon + 1);
      threshold = NUMBER.test(digits) ? Number(digits) : NaN;
      if (!(threshold >= 0 && threshold <= 1e6)) fail(flag, `the threshold of '${name}' must be a number from 0 to 1000000`, text);
    }
    if (name in methods) fail(flag, `column '${name}' is given more than once`, text);
    methods[name] = { method: method as DriftMethodId, threshold };
  }
  return methods;
}

/** The share of drifting columns that makes dataset drift: above 0, at most 1 (or a percent). */
export function parseDriftShare(flag: string, text: string): number {
  const percent = text.endsWith('%');
  const digits = percent ? text.slice(0, -1) : text;
  const value = (NUMBER.test(digits) ? Number(digits) : NaN) / (percent ? 100 : 1);
  if (!(value > 0 && value <= 1)) fail(flag, 'must be a share above 0 and at most 1 (like 0.5) or a percent (50%)', text);
  return value;
}

/** A whole number from min to max. */
export function parseWhole(flag: string, text: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) fail(flag, `must be a whole number ${min}–${max}`, text);
  return Number(text);
}

/** An alert's number, as `orrery alerts list` shows it. */
export function parseAlertId(label: string, text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) fail(label, 'must be an alert number (1, 2, …, as orrery alerts list shows)', text);
  return Number(text);
}

const RELATIVE_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** 2026-12-01T09:00, with optional seconds, fraction and zone (Z or ±HH:MM). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A point in time for `--until`: ISO 8601 with a time of day (no zone: this machine's local time,
 * as the person typing it means), or a duration from `now` like 30m, 2h, 1d. Milliseconds since epoch.
 */
export function parseUntil(flag: string, text: string, now: number): number {
  const relative = /^(\d{1,6})(s|m|h|d)$/.exec(text);
  if (relative) {
    const ms = Number(relative[1]) * RELATIVE_MS[relative[2]!]!;
    if (ms === 0) fail(flag, 'must be a duration above 0', text);
    return now + ms;
  }
  const iso = ISO.exec(text);
  if (!iso) fail(flag, 'must be a time like 2026-12-01T09:00 or 2026-12-01T09:00:00Z, or a duration from now like 30m, 2h or 1d', text);
  const [year, month, day, hour, minute, second] = iso.slice(1, 7).map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth || hour! > 23 || minute! > 59 || second! > 59) fail(flag, 'is not a date and time that exists', text);
  const at = Date.parse(text);
  if (!Number.isFinite(at) || at < 0) fail(flag, 'is not a date and time that exists', text);
  return at;
}
