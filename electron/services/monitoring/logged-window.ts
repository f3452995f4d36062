/**
 * A window of the request log as rows: each logged request's input rows (JSON records) with its
 * prediction per row, the request id each row came from (labels join on it), and how many rows the
 * log could not keep (bodies over its size cap, or more rows than it keeps per request). Pure.
 */

export interface LoggedRequestText {
  requestId: string;
  rowCount: number;
  truncated: boolean;
  inputs: string | null;
  predictions: string | null;
}

export interface LoggedWindowRows {
  records: Array<Record<string, unknown>>;
  /** Per row: the request it came from, and its place in that request. */
  requestIds: string[];
  rowInRequest: number[];
  /** Per row: the model's answer as it came (a value, a list of probabilities, an object). */
  predictions: unknown[];
  requests: number;
  /** Rows the window holds but could not see. */
  unseen: number;
}

/**
 * Reads the logged requests; the prediction of each row joins its record as `predictionColumn`
 * when it is a plain value (or, for an object answer, that key of it).
 */
export function loggedWindowRows(logged: readonly LoggedRequestText[], predictionColumn: string): LoggedWindowRows {
  const out: LoggedWindowRows = { records: [], requestIds: [], rowInRequest: [], predictions: [], requests: logged.length, unseen: 0 };
  for (const request of logged) {
    const rows = parseRows(request.inputs);
    if (rows === null) {
      out.unseen += Math.max(request.rowCount, 1);
      continue;
    }
    out.unseen += Math.max(0, request.rowCount - rows.length);
    const predictions = parsePredictions(request.predictions, rows.length);
    rows.forEach((row, i) => {
      const prediction = predictions[i];
      const value = predictionValue(prediction, predictionColumn);
      out.records.push(value === undefined ? row : { ...row, [predictionColumn]: value });
      out.requestIds.push(request.requestId);
      out.rowInRequest.push(i);
      out.predictions.push(prediction);
    });
  }
  return out;
}

function parseRows(text: string | null): Array<Record<string, unknown>> | null {
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) return null;
    return parsed.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r));
  } catch {
    return null;
  }
}

/** One answer per input row: a list as it is, a single answer for a single row. */
function parsePredictions(text: string | null, rows: number): unknown[] {
  if (text === null) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed;
    if (parsed && typeof parsed === 'object') {
      // Column-oriented answers ({"label": [..], "score": [..]}) become one object per row.
      const entries = Object.entries(parsed as Record<string, unknown>);
      if (entries.length && entries.every(([, v]) => Array.isArray(v) && v.length === rows)) {
        return Array.from({ length: rows }, (_, i) => Object.fromEntries(entries.map(([k, v]) => [k, (v as unknown[])[i]])));
      }
    }
    return rows === 1 ? [parsed] : [];
  } catch {
    return [];
  }
}

/** The prediction as one column value; undefined when it has none (a list of class probabilities). */
export function predictionValue(prediction: unknown, key: string): unknown {
  if (prediction === undefined) return undefined;
  if (Array.isArray(prediction)) return prediction.length === 1 ? prediction[0] : undefined;
  if (prediction !== null && typeof prediction === 'object') {
    const record = prediction as Record<string, unknown>;
    if (key in record) return record[key];
    const first = Object.values(record)[0];
    return Array.isArray(first) || (first !== null && typeof first === 'object') ? undefined : first;
  }
  return prediction;
}
