import type Database from 'better-sqlite3';
import type { MetricsPoint, RequestLogEntry, VersionStatsView } from '../../../shared/contract/serving';
import { LiveMetrics } from './live-metrics';
import { MetricsRepository } from './metrics-repository';
import { RequestLogRepository } from './request-log-repository';
import { DEFAULT_RETENTION, RequestLogWriter, type ServingRetention } from './request-log-writer';
import type { RequestObservation } from './serving-routes';
import type { LoggedCount, LoggedRequest, ServingTelemetry } from './serving-telemetry';

const PRUNE_EVERY_MS = 60_000;

/**
 * The app's telemetry: live 1 s numbers in memory (LiveMetrics), 10 s rows and the request log in
 * SQLite, written in batches off the request path and pruned by the retention settings.
 */
export class StoredTelemetry implements ServingTelemetry {
  private lastPrune = 0;

  constructor(
    private readonly live: LiveMetrics,
    private readonly metrics: MetricsRepository,
    private readonly log: RequestLogRepository,
    private readonly writer: RequestLogWriter,
    private readonly retention: ServingRetention = DEFAULT_RETENTION,
  ) {}

  record(observation: RequestObservation): void {
    this.live.record(observation);
    if (observation.request) this.writer.enqueue(observation);
  }

  stats(deployment: string, version: number, sinceMs: number): VersionStatsView {
    return this.live.stats(deployment, version, sinceMs);
  }

  series(deployment: string, sinceMs: number): MetricsPoint[] {
    const live = this.live.series(deployment, sinceMs);
    const liveFrom = live.length ? Math.min(...live.map((p) => p.at)) : Number.MAX_SAFE_INTEGER;
    return [...this.metrics.since(deployment, sinceMs, liveFrom), ...live];
  }

  requests(deployment: string, limit: number): RequestLogEntry[] {
    this.writer.flush();
    return this.log.newest(deployment, limit);
  }

  loggedAfter(deployment: string, afterId: number, limit: number): LoggedRequest[] {
    this.writer.flush();
    return this.log.after(deployment, afterId, limit);
  }

  loggedCountAfter(deployment: string, afterId: number): LoggedCount {
    this.writer.flush();
    return this.log.countAfter(deployment, afterId);
  }

  loggedByRequestId(deployment: string, requestIds: readonly string[]): LoggedRequest[] {
    this.writer.flush();
    return this.log.byRequestId(deployment, requestIds);
  }

  forget(deployment: string): void {
    this.live.forget(deployment);
    this.writer.forget(deployment);
  }

  flush(now: number): void {
    const rows = this.live.drain(now);
    if (rows.length) this.metrics.insert(rows);
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.log.prune(this.retention.requestLogRows, now - this.retention.requestLogAgeMs);
      this.metrics.prune(now - this.retention.metricsAgeMs);
    }
  }

  close(): void {
    this.writer.close();
  }
}

export function createServingTelemetry(db: Database.Database): StoredTelemetry {
  const log = new RequestLogRepository(db);
  const writer = new RequestLogWriter(log, { onError: (error) => console.error('[serving] could not write the request log:', error) });
  return new StoredTelemetry(new LiveMetrics(), new MetricsRepository(db), log, writer);
}
