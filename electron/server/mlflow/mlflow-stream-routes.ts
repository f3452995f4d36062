import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TrackingService } from '../../services/tracking/tracking-service';
import { limits } from '../../../shared/tracking-limits';
import { decodeHistoryPageToken } from './history-page-token';
import { sendMetricHistory } from './metric-history-stream';
import type { MlflowParams } from './mlflow-params';
import { mlflowString } from './mlflow-validate';

/** A route that writes its own response: its answer can be too big to build in memory first. */
export type StreamRoute = (p: MlflowParams, req: IncomingMessage, res: ServerResponse) => Promise<void>;

const HISTORY_PAGE_LIMIT = 25_000;

/** MLflow endpoints whose answers grow with the data, streamed as they are read; by "METHOD path". */
export function mlflowStreamRoutes(tracking: TrackingService): Record<string, StreamRoute> {
  return {
    'GET metrics/get-history': async (p, req, res) => {
      const runId = p.string('run_id', 'run_uuid');
      const key = mlflowString(p.string('metric_key'), 'metric_key', limits.keyLength);
      // Without max_results every point comes back: older clients do not page (MLflow 3.6 returns none).
      const maxResults = p.optionalInt('max_results', { min: 1, max: HISTORY_PAGE_LIMIT });
      const from = decodeHistoryPageToken(p.optionalString('page_token'));
      await sendMetricHistory(req, res, { key, slices: tracking.metricSlices(runId, key, from), maxResults });
    },
  };
}
