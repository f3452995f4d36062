import type { MetricsPoint, RequestLogEntry, VersionStatsView } from '../../../shared/contract/serving';
import type { RequestObservation } from './serving-routes';

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
  /** A deleted deployment: its live numbers and queued log entries go (its stored rows go with its row). */
  forget(deployment: string): void;
  /** Writes completed 10 s rows and the queued request log; called every second. */
  flush(now: number): void;
  close(): void;
}
