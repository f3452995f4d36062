import type { MetricsPoint, RequestLogEntry, VersionStatsView } from '../../../shared/contract/serving';
import type { RequestObservation } from './serving-routes';

/** One request-log row as stored: inputs (rows as JSON records) and predictions still JSON text. */
export interface LoggedRequest {
  id: number;
  at: number;
  version: number;
  status: number;
  requestId: string;
  rowCount: number;
  truncated: boolean;
  inputs: string | null;
  predictions: string | null;
}

export interface LoggedCount {
  requests: number;
  rows: number;
  lastId: number;
  firstAt: number | null;
}

/**
 * What the gateway saw, as the service reads it back: live per-version numbers (1 s buckets),
 * the stored 10 s series, and the request log. The app's one is built from LiveMetrics, the
 * metrics repository and the request-log writer (serving-area.ts).
 */
export interface ServingTelemetry {
  record(observation: RequestObservation): void;
  /** A version's requests, errors and latency percentiles in [sinceMs, now]. */
  stats(deployment: string, version: number, sinceMs: number): VersionStatsView;
  /** Per-version points since a time: stored 10 s rows, then live 1 s buckets. */
  series(deployment: string, sinceMs: number): MetricsPoint[];
  requests(deployment: string, limit: number): RequestLogEntry[];
  /** Logged requests after an id, oldest first, as stored (monitoring's windows read these). */
  loggedAfter(deployment: string, afterId: number, limit: number): LoggedRequest[];
  /** How many requests and input rows were logged after an id, and the newest id. */
  loggedCountAfter(deployment: string, afterId: number): LoggedCount;
  /** Logged requests by the ids callers and the gateway gave them. */
  loggedByRequestId(deployment: string, requestIds: readonly string[]): LoggedRequest[];
  /** A deleted deployment: its live numbers and queued log entries go (its stored rows go with its row). */
  forget(deployment: string): void;
  /** Writes completed 10 s rows and the queued request log; called every second. */
  flush(now: number): void;
  close(): void;
}
