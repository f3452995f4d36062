import type { Database } from 'better-sqlite3';

/**
 * Params are stored as text, so as text '10' sorts before '9'. The runs table orders a param
 * numerically where its value is a plain decimal number, through this SQL function (SQLite's CAST
 * reads '12abc' as 12, so SQL alone cannot tell a number from text that starts with one).
 */

/** Plain decimal literals: `3`, `-0.5`, `.5`, `1.`, `1e-3`. No spaces, hex, `inf` or `nan`. */
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The number a param value spells, or null when it is not a finite decimal number. */
export function paramNumber(value: unknown): number | null {
  if (typeof value !== 'string' || !DECIMAL.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The SQL name of paramNumber, once registerParamNumber has run on the connection. */
export const PARAM_NUMBER_SQL = 'orrery_param_number';

/** Makes `orrery_param_number(text)` callable in this connection's SQL. */
export function registerParamNumber(db: Database): void {
  db.function(PARAM_NUMBER_SQL, { deterministic: true }, (value: unknown) => paramNumber(value));
}
