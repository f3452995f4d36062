/** A request-log row as monitoring reads it: inputs (rows as JSON records) and predictions as JSON text. */
export interface LoggedRequestRow {
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

/**
 * What monitoring needs from serving: whether a deployment exists, what it serves, its request log
 * and its live health. ServingService satisfies it.
 */
export interface ServedDeployments {
  has(name: string): boolean;
  servedVersion(name: string): { model: string; version: number } | null;
  loggedAfter(name: string, afterId: number, limit: number): LoggedRequestRow[];
  loggedCountAfter(name: string, afterId: number): { requests: number; rows: number; lastId: number; firstAt: number | null };
  loggedByRequestId(name: string, requestIds: readonly string[]): LoggedRequestRow[];
  health(name: string, spanMs: number): { requests: number; errorRate: number | null; p95Ms: number | null };
}

/** What monitoring reads of runs: dataset inputs and artifacts (a reference), and the metrics they logged. TrackingService satisfies it. */
export interface RunReader {
  getRunDetail(runId: string): {
    experimentId: string;
    metrics: Record<string, { value: unknown }>;
    inputs: Array<{ name: string; source: string; sourceType: string }>;
  };
}

/** Where a run's artifact lies on disk (the tracking area's artifact store satisfies it). */
export interface ArtifactFiles {
  open(experimentId: string, runId: string, segments: readonly string[]): Promise<{ file: string; stream: { destroy(): void } }>;
}

/** A registry version's run, for the metrics it logged (performance is shown beside them). ModelRegistryService satisfies it. */
export interface VersionReader {
  getVersion(name: string, ref: number): { source: { type: 'run'; runId: string } | { type: 'folder' } };
}
