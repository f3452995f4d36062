import type { LifecycleStage } from '../../../shared/contract/tracking';
import { decodePageToken } from '../../services/tracking/page-token';
import type { TrackingService } from '../../services/tracking/tracking-service';
import { experimentJson } from './mlflow-json';
import type { MlflowParams } from './mlflow-params';

/** experiments/search: MLflow's filter on name, times and tags; order_by; paging. The service parses and runs them. */
export function searchExperiments(tracking: TrackingService, p: MlflowParams, lifecycle: LifecycleStage | 'all'): Record<string, unknown> {
  const filter = p.optionalString('filter');
  const orderBy = p.stringList('order_by');
  const maxResults = p.optionalInt('max_results', { min: 1, max: 50_000 }) ?? 1000;
  const pageToken = p.optionalString('page_token');
  decodePageToken(pageToken, 'page_token'); // refused here in MLflow's name, not the service's pageToken
  const { experiments, nextPageToken } = tracking.searchExperiments({ lifecycle, filter, orderBy, maxResults, pageToken });
  const body: Record<string, unknown> = {};
  if (experiments.length > 0) body.experiments = experiments.map(experimentJson);
  if (nextPageToken) body.next_page_token = nextPageToken;
  return body;
}
