import type { DatasetFields, LifecycleStage, RunColumns, RunStatus } from '../../../shared/contract/tracking';

// What TrackingService's methods take and give besides the contract's own types.

export interface NewRunInput {
  experimentId: string;
  name?: string | undefined;
  startTime?: number | undefined;
  userId?: string | undefined;
  tags: Array<{ key: string; value: string }>;
}

export interface DatasetInputIn extends DatasetFields {
  tags: Array<{ key: string; value: string }>;
}

export interface SearchExperimentsInput {
  lifecycle: LifecycleStage | 'all';
  /** SQLite LIKE on the name (case-insensitive): the UI's quick search. */
  nameLike?: string | undefined;
  /** MLflow's experiments/search filter and order_by. */
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  maxResults?: number;
  pageToken?: string | null | undefined;
}

/** A run's bare facts, without its params, tags and metrics: cheap to read on every request. */
export interface RunSummary {
  runId: string;
  experimentId: string;
  status: RunStatus;
  endTime: number | null;
}

export interface SearchRunsInput {
  experimentIds: string[];
  filter?: string | undefined;
  orderBy?: string[] | undefined;
  lifecycle: LifecycleStage | 'all';
  maxResults: number;
  pageToken?: string | null | undefined;
  columns?: RunColumns | undefined;
}
