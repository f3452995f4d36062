import type { ColumnDistributionView, ColumnKindName, DriftMethodId, DriftReportView, MonitorView, PerformanceView } from '../../../../shared/contract/monitoring';
import type { LoggedRequestText } from '../logged-window';
import type { DriftCheckOptions } from '../drift-check';
import type { ReferenceProfile } from '../profile/reference-profile';
import type { TypedTable } from './typed-table';

export type ReferenceSummaryData = Omit<NonNullable<MonitorView['reference']>, 'createdAt'>;

export interface CheckSettings {
  driftShare: number;
  minRows: number;
  methods: Record<string, { method: DriftMethodId; threshold: number | null }>;
  predictionColumn: string;
}

/** What the main thread asks the monitoring worker; each answer is the matching result below. */
export type ComputeRequest =
  | { type: 'profile-file'; file: string; kinds: Record<string, ColumnKindName> }
  | { type: 'profile-logged'; requests: LoggedRequestText[]; predictionColumn: string; kinds: Record<string, ColumnKindName> }
  | { type: 'check-logged'; profileKey: string; profile: Uint8Array | null; requests: LoggedRequestText[]; labels: Array<[string, unknown]>; settings: CheckSettings }
  | { type: 'read-labels'; file: string; idColumn: string; labelColumn: string }
  | { type: 'performance'; requests: LoggedRequestText[]; labels: Array<[string, unknown]>; predictionColumn: string }
  | {
    type: 'compare-files';
    reference: string;
    current: string;
    kinds: Record<string, ColumnKindName>;
    methods: CheckSettings['methods'];
    driftShare: number;
    minRows: number;
    target: string | null;
  }
  /** A table already in memory as typed arrays, checked against a profile (cached by key as in check-logged). */
  | { type: 'check-table'; profileKey: string; profile: Uint8Array | null; table: TypedTable; settings: TableCheckSettings }
  /**
   * One chunk of a reference streamed in as typed arrays: the worker adds it to the profile named
   * `stream`; with `finish` (the chunk may then be null) it answers the finished profile, else null.
   */
  | { type: 'profile-chunk'; stream: string; table: TypedTable | null; kinds: Record<string, ColumnKindName>; finish: boolean }
  /** Some columns of a check split over two threads (see column-split.ts): what the peer thread is sent. */
  | { type: 'check-part'; profile: ReferenceProfile; table: TypedTable; options: DriftCheckOptions };

/** A table check's settings: as a window's, less the prediction column (roles name such columns). */
export interface TableCheckSettings {
  driftShare: number;
  minRows: number;
  methods: CheckSettings['methods'];
  roles?: Record<string, 'prediction' | 'target'>;
}

export interface ProfileResult {
  profile: Uint8Array;
  summary: ReferenceSummaryData;
}

export interface WindowCheckResult {
  report: DriftReportView;
  distributions: ColumnDistributionView[];
  performance: PerformanceView | null;
  rows: number;
  unseen: number;
}

export interface ComparisonResult {
  report: DriftReportView;
  distributions: ColumnDistributionView[];
}

export interface ComputeResults {
  'profile-file': ProfileResult;
  'profile-logged': ProfileResult;
  'check-logged': WindowCheckResult;
  performance: PerformanceView | null;
  'read-labels': Array<[string, unknown]>;
  'compare-files': ComparisonResult;
  'check-table': ComparisonResult;
  'profile-chunk': ProfileResult | null;
  'check-part': ComparisonResult;
}

export type ComputeAnswer = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { code: string; message: string } };
