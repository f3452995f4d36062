import type { LifecycleStage, MetricSeries } from '../../../shared/contract/tracking';
import { invalid } from '../../../shared/errors';
import { parseMetricValue } from '../../services/tracking/metric-value';
import type { MetricPoint } from '../../services/tracking/metric-store';
import type { TrackingService } from '../../services/tracking/tracking-service';
import type { ArtifactStore } from '../../services/tracking/artifact-store';
import { parseArtifactPath } from '../../../shared/artifact-path';
import { checkBatchLimits, limits, quote } from '../../../shared/tracking-limits';
import { bucketList } from '../../../shared/metric-buckets';
import { decodeRunPageToken } from '../../services/tracking/run-page-token';
import { nextTurn } from '../../services/store/event-loop-turns';
import { JsonText } from './mlflow-http';
import { experimentJson, runInfoJson, runJson } from './mlflow-json';
import type { MlflowParams } from './mlflow-params';
import { searchExperiments } from './mlflow-experiment-search';
import { missing, mlflowExperimentId, mlflowExperimentName, mlflowInteger, mlflowKey, mlflowRunId, mlflowString } from './mlflow-validate';

type Json = Record<string, unknown>;
export type JsonRoute = (p: MlflowParams) => Json | JsonText | Promise<Json | JsonText>;

const VIEW_TYPES: Record<string, LifecycleStage | 'all'> = { ACTIVE_ONLY: 'active', DELETED_ONLY: 'deleted', ALL: 'all' };
/** Runs per chunk of a runs/search page: a few milliseconds of reading and shaping. */
const SEARCH_CHUNK = 500;
/** Artifact entries written per turn of the event loop. */
const ARTIFACT_SLICE = 5000;
const BULK_INTERVAL_DEFAULT = 320;
const BULK_INTERVAL_MAX = 2500;

function viewType(p: MlflowParams, name: string): LifecycleStage | 'all' {
  const raw = p.optionalString(name) ?? 'ACTIVE_ONLY';
  const stage = VIEW_TYPES[raw];
  if (!stage) throw invalid(`Invalid value "${raw}" for parameter '${name}' supplied: expected ACTIVE_ONLY, DELETED_ONLY or ALL.`);
  return stage;
}

function metricFrom(raw: Record<string, unknown>, now: number): MetricPoint {
  const key = mlflowKey(raw.key, 'key');
  if (raw.value === undefined || raw.value === null) throw missing('value');
  const value = parseMetricValue(raw.value);
  if (value === null) throw invalid(`Invalid value ${quote(raw.value)} for parameter 'value' supplied: expected a number.`);
  return { key, value, timestamp: mlflowInteger(raw.timestamp, 'timestamp', now), step: mlflowInteger(raw.step, 'step', 0) };
}

function paramFrom(raw: Record<string, unknown>): { key: string; value: string } {
  return { key: mlflowKey(raw.key, 'key'), value: mlflowString(raw.value, 'value', limits.paramValueLength) };
}

function tagFrom(raw: Record<string, unknown>): { key: string; value: string } {
  return { key: mlflowKey(raw.key, 'key'), value: mlflowString(raw.value, 'value', limits.tagValueLength) };
}

/** runs/search's experiment_ids: how many, and each a whole number (the service finds them). */
function searchExperimentIds(ids: string[]): string[] {
  if (ids.length > limits.searchExperiments) throw invalid(`experiment_ids has ${ids.length} ids; at most ${limits.searchExperiments} in one search.`);
  return ids.map((id) => mlflowExperimentId(id));
}

/** MLflow's tracking endpoints under /api/2.0/mlflow/, by "METHOD path". */
export function mlflowJsonRoutes(tracking: TrackingService, artifacts: ArtifactStore, now: () => number = Date.now): Record<string, JsonRoute> {
  const runIdOf = (p: MlflowParams) => p.string('run_id', 'run_uuid');
  const experimentIdOf = (p: MlflowParams) => mlflowExperimentId(p.string('experiment_id'));
  return {
    'POST experiments/create': (p) => {
      const tags = p.objectList('tags').map(tagFrom);
      return { experiment_id: tracking.createExperiment(mlflowExperimentName(p.raw('name'), 'name'), tags) };
    },
    'GET experiments/get': (p) => ({ experiment: experimentJson(tracking.getExperiment(experimentIdOf(p))) }),
    'GET experiments/get-by-name': (p) => ({
      experiment: experimentJson(tracking.getExperimentByName(mlflowString(p.string('experiment_name'), 'experiment_name', limits.experimentNameLength))),
    }),
    'POST experiments/search': (p) => searchExperiments(tracking, p, viewType(p, 'view_type')),
    'GET experiments/search': (p) => searchExperiments(tracking, p, viewType(p, 'view_type')),
    'POST experiments/update': (p) => {
      const experimentId = experimentIdOf(p);
      tracking.renameExperiment(experimentId, mlflowExperimentName(p.raw('new_name'), 'new_name'));
      return {};
    },
    'POST experiments/delete': (p) => {
      tracking.setExperimentLifecycle(experimentIdOf(p), 'deleted');
      return {};
    },
    'POST experiments/restore': (p) => {
      tracking.setExperimentLifecycle(experimentIdOf(p), 'active');
      return {};
    },
    'POST experiments/set-experiment-tag': (p) => {
      const experimentId = experimentIdOf(p);
      tracking.setExperimentTag(experimentId, { key: mlflowKey(p.raw('key'), 'key'), value: mlflowString(p.raw('value'), 'value', limits.experimentTagValueLength) });
      return {};
    },

    'POST runs/create': (p) => {
      const run = tracking.createRun({
        experimentId: mlflowExperimentId(p.optionalString('experiment_id') ?? '0'),
        name: p.optionalString('run_name'),
        startTime: p.raw('start_time') === undefined ? undefined : mlflowInteger(p.raw('start_time'), 'start_time'),
        userId: p.optionalString('user_id'),
        tags: p.objectList('tags').map(tagFrom),
      });
      // MLflow 3.6 answers create without the (empty) outputs that get and search carry.
      const { outputs: _outputs, ...created } = runJson(run, []);
      return { run: created };
    },
    'GET runs/get': (p) => ({ run: runJson(tracking.getRunDetail(runIdOf(p))) }),
    'POST runs/update': (p) => {
      const endTime = p.raw('end_time');
      const name = p.raw('run_name');
      const run = tracking.updateRun(runIdOf(p), {
        status: p.raw('status'),
        endTime: endTime === undefined || endTime === null ? undefined : mlflowInteger(endTime, 'end_time'),
        name: name === undefined || name === null ? undefined : mlflowString(name, 'run_name', limits.runNameLength),
      });
      return { run_info: runInfoJson(run) };
    },
    'POST runs/delete': (p) => {
      tracking.setRunLifecycle(runIdOf(p), 'deleted');
      return {};
    },
    'POST runs/restore': (p) => {
      tracking.setRunLifecycle(runIdOf(p), 'active');
      return {};
    },
    'POST runs/search': async (p) => {
      const request = {
        experimentIds: p.stringList('experiment_ids'),
        filter: p.optionalString('filter'),
        orderBy: p.stringList('order_by'),
        lifecycle: viewType(p, 'run_view_type'),
        maxResults: p.optionalInt('max_results', { min: 1, max: 50_000 }) ?? 1000,
        pageToken: p.optionalString('page_token'),
      };
      const experimentIds = searchExperimentIds(request.experimentIds);
      decodeRunPageToken(request.pageToken, 'page_token'); // refused here, before the filter, in MLflow's name
      // Read in keyset chunks with a turn of the event loop between them, so a 50,000-run page
      // never holds other requests (each chunk is its own read, as pages are). No total: MLflow's
      // response has none, so counting would be thrown away.
      const runs: Json[] = [];
      let token = request.pageToken ?? null;
      let next: string | null = null;
      for (;;) {
        const chunk = Math.min(SEARCH_CHUNK, request.maxResults - runs.length);
        const result = tracking.searchRuns({ ...request, experimentIds, maxResults: chunk, pageToken: token }, { pageTokenField: 'page_token' });
        const inputs = tracking.runInputsMany(result.runs.map((run) => run.runId));
        for (const run of result.runs) runs.push(runJson(run, inputs.get(run.runId) ?? []));
        next = result.nextPageToken;
        if (!next || runs.length >= request.maxResults) break;
        token = next;
        await nextTurn();
      }
      const body: Json = {};
      if (runs.length > 0) body.runs = runs;
      if (next) body.next_page_token = next;
      return body;
    },
    'POST runs/log-metric': async (p) => {
      await tracking.logBatchGrouped(runIdOf(p), { metrics: [metricFrom({ key: p.raw('key'), value: p.raw('value'), timestamp: p.raw('timestamp'), step: p.raw('step') }, now())], params: [], tags: [] });
      return {};
    },
    'POST runs/log-parameter': async (p) => {
      await tracking.logBatchGrouped(runIdOf(p), { metrics: [], params: [paramFrom({ key: p.raw('key'), value: p.raw('value') })], tags: [] });
      return {};
    },
    'POST runs/set-tag': async (p) => {
      await tracking.logBatchGrouped(runIdOf(p), { metrics: [], params: [], tags: [tagFrom({ key: p.raw('key'), value: p.raw('value') })] });
      return {};
    },
    'POST runs/delete-tag': (p) => {
      const runId = runIdOf(p);
      tracking.deleteTag(runId, mlflowString(p.raw('key'), 'key', limits.keyLength));
      return {};
    },
    'POST runs/log-batch': async (p) => {
      const runId = runIdOf(p);
      const at = now();
      const metrics = p.objectList('metrics');
      const params = p.objectList('params');
      const tags = p.objectList('tags');
      // Limits first, so an oversized batch gets MLflow's message rather than a per-item one.
      checkBatchLimits(metrics.length, params.length, tags.length);
      await tracking.logBatchGrouped(runId, { metrics: metrics.map((m) => metricFrom(m, at)), params: params.map(paramFrom), tags: tags.map(tagFrom) });
      return {};
    },
    'POST runs/log-inputs': (p) => {
      const datasets = p.objectList('datasets').map((entry) => {
        const dataset = entry.dataset as Record<string, unknown> | undefined;
        if (!dataset || typeof dataset !== 'object') throw missing('dataset');
        const tagList = datasetTags(entry.tags);
        return {
          name: mlflowString(dataset.name, 'name', 500),
          digest: mlflowString(dataset.digest, 'digest', 36),
          sourceType: mlflowString(dataset.source_type, 'source_type', 64),
          source: mlflowString(dataset.source, 'source', 65_535),
          schema: dataset.schema === undefined ? null : mlflowString(dataset.schema, 'schema', 1_048_575),
          profile: dataset.profile === undefined ? null : mlflowString(dataset.profile, 'profile', 16_777_215),
          tags: tagList.map((t) => ({ key: mlflowString(t.key, 'key', 255), value: mlflowString(t.value, 'value', 500) })),
        };
      });
      tracking.logInputs(runIdOf(p), datasets);
      return {};
    },

    'GET artifacts/list': async (p) => {
      const run = tracking.getRun(runIdOf(p));
      const segments = parseArtifactPath(p.optionalString('path') ?? '', { encoded: false });
      const entries = await artifacts.list(run.experimentId, run.runId, segments);
      // A listing of 100k files is written a slice at a time, with a turn of the event loop between
      // slices: stringified whole it held every other request for 66–180 ms.
      const slices: string[] = [];
      for (let at = 0; at < entries.length; at += ARTIFACT_SLICE) {
        if (at > 0) await nextTurn();
        const slice = entries.slice(at, at + ARTIFACT_SLICE).map((e) => ({ path: e.path, is_dir: e.isDir, ...(e.isDir ? {} : { file_size: e.size }) }));
        slices.push(JSON.stringify(slice).slice(1, -1));
      }
      return new JsonText(`{"root_uri":${JSON.stringify(run.artifactUri)}${slices.length > 0 ? `,"files":[${slices.join(',')}]` : ''}}`);
    },
    // GET metrics/get-history is streamed: mlflow-stream-routes.ts.
    'GET metrics/get-history-bulk-interval': async (p) => {
      const runIds = p.stringList('run_ids');
      if (runIds.length === 0) throw missing('run_ids');
      if (runIds.length > 100) throw invalid(`GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${runIds.length} run_ids.`);
      const key = p.string('metric_key');
      const maxResults = p.optionalInt('max_results', { min: 1, max: BULK_INTERVAL_MAX }) ?? BULK_INTERVAL_DEFAULT;
      const start = p.optionalInt('start_step');
      const end = p.optionalInt('end_step');
      if (start !== undefined && end !== undefined && start > end) throw invalid(`end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`);
      // A turn of the event loop at a time: 100 long runs must not hold other requests up.
      const series = await tracking.historyInTurns(runIds.map((id) => mlflowRunId(id)), [key], Math.max(2, Math.floor(maxResults / 2)), start, end);
      return { metrics: bulkInterval(series, key, maxResults) };
    },
  };
}

/**
 * Per run, at most max_results points: every bucket's min and max point (so spikes survive),
 * plus the last point of the range. Exact when the run has that few points.
 */
function bulkInterval(seriesList: readonly MetricSeries[], key: string, maxResults: number): Json[] {
  const out: Json[] = [];
  for (const series of seriesList) {
    const { runId } = series;
    const buckets = bucketList(series.buckets);
    const points = new Map<number, { step: number; value: unknown; timestamp: number }>();
    for (const bucket of buckets) {
      if (series.exact) {
        points.set(points.size, { step: bucket.lastStep, value: bucket.last, timestamp: bucket.lastTimestamp });
        continue;
      }
      if (bucket.minStep !== null) points.set(bucket.minStep, { step: bucket.minStep, value: bucket.min, timestamp: bucket.lastTimestamp });
      if (bucket.maxStep !== null) points.set(bucket.maxStep, { step: bucket.maxStep, value: bucket.max, timestamp: bucket.lastTimestamp });
      if (!points.has(bucket.lastStep) && bucket === buckets.at(-1)) {
        points.set(bucket.lastStep, { step: bucket.lastStep, value: bucket.last, timestamp: bucket.lastTimestamp });
      }
    }
    const sorted = [...points.values()].sort((a, b) => a.step - b.step).slice(0, maxResults);
    for (const point of sorted) out.push({ key, value: point.value, timestamp: point.timestamp, step: point.step, run_id: runId });
  }
  return out;
}

/** A dataset's tags: absent, or a list of {key, value} objects (MLflow answers anything else 400). */
function datasetTags(tags: unknown): Array<Record<string, unknown>> {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'object' && t !== null && !Array.isArray(t))) {
    throw invalid(`Invalid value ${quote(tags)} for parameter 'tags' supplied: expected a list of {key, value} objects.`);
  }
  return tags as Array<Record<string, unknown>>;
}
