import path from 'node:path';
import type { ArtifactContent } from '../../../shared/contract/tracking';
import { OrreryError } from '../../../shared/errors';
import type { Handlers } from '../rpc/handlers';
import { parseArtifactPath } from '../../../shared/artifact-path';
import { checkAppTagKey } from './app-tag-rules';
import type { ArtifactStore } from './artifact-store';
import type { TrackingService } from './tracking-service';

type TrackingHandlers = Pick<Handlers, Extract<keyof Handlers, `tracking.${string}`>>;

const TEXT_EXTENSIONS = new Set(['.txt', '.log', '.json', '.yaml', '.yml', '.csv', '.tsv', '.md', '.py', '.sh', '.toml', '.ini', '.cfg', '.xml', '.html', '.svg', '']);
const MIME: Record<string, string> = {
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv',
  '.html': 'text/html',
};

/** The UI's tracking methods, over the same service the MLflow REST API uses. */
export function trackingHandlers(tracking: TrackingService, artifacts: ArtifactStore): TrackingHandlers {
  return {
    'tracking.searchExperiments': ({ lifecycle, nameLike }) =>
      tracking
        .searchExperiments({ lifecycle, nameLike, maxResults: 10_000 })
        .experiments.sort((a, b) => b.lastActivity - a.lastActivity),
    'tracking.getExperiment': ({ experimentId }) => tracking.getExperiment(experimentId),
    'tracking.createExperiment': ({ name }) => tracking.getExperiment(tracking.createExperiment(name)),
    'tracking.renameExperiment': ({ experimentId, name }) => tracking.renameExperiment(experimentId, name),
    'tracking.deleteExperiment': ({ experimentId }) => tracking.setExperimentLifecycle(experimentId, 'deleted'),
    'tracking.restoreExperiment': ({ experimentId }) => tracking.setExperimentLifecycle(experimentId, 'active'),
    'tracking.queryRuns': (input) =>
      tracking.queryRuns({
        experimentIds: input.experimentIds,
        filter: input.filter,
        orderBy: input.orderBy,
        lifecycle: input.lifecycle,
        maxResults: input.pageSize,
        pageToken: input.pageToken,
        columns: input.columns,
        withTotal: input.withTotal,
      }),
    'tracking.getRun': ({ runId }) => tracking.getRunDetail(runId),
    'tracking.getRuns': ({ runIds }) => tracking.getRunDetails(runIds),
    'tracking.getMetricHistory': ({ runIds, keys, buckets, startStep, endStep }) => tracking.historyInTurns(runIds, keys, buckets, startStep, endStep),
    'tracking.compareParams': ({ runIds, onlyDiffering }) => tracking.compareParams(runIds, onlyDiffering),
    'tracking.listArtifacts': async ({ runId, path: folder }) => {
      const run = tracking.getRun(runId);
      return artifacts.list(run.experimentId, run.runId, parseArtifactPath(folder, { encoded: false }));
    },
    'tracking.readArtifact': async ({ runId, path: file, maxBytes }) => {
      const run = tracking.getRun(runId);
      const segments = parseArtifactPath(file, { encoded: false });
      if (segments.length === 0) throw new OrreryError('INVALID_INPUT', 'path: must name a file.');
      const opened = await artifacts.open(run.experimentId, run.runId, segments);
      const chunks: Buffer[] = [];
      let read = 0;
      for await (const chunk of opened.stream) {
        const buffer = chunk as Buffer;
        chunks.push(buffer.subarray(0, Math.max(0, maxBytes - read)));
        read += buffer.length;
        if (read >= maxBytes) break;
      }
      opened.stream.destroy();
      const data = Buffer.concat(chunks);
      const ext = path.extname(segments.at(-1) ?? '').toLowerCase();
      const text = TEXT_EXTENSIONS.has(ext) && !data.includes(0);
      const content: ArtifactContent = {
        path: segments.join('/'),
        size: opened.size,
        mimeType: MIME[ext] ?? (text ? 'text/plain' : 'application/octet-stream'),
        encoding: text ? 'utf8' : 'base64',
        content: data.toString(text ? 'utf8' : 'base64'),
        truncated: opened.size > data.length,
      };
      return content;
    },
    'tracking.renameRun': ({ runId, name }) => tracking.updateRun(runId, { name }),
    'tracking.setRunTag': ({ runId, key, value }) => {
      tracking.logBatch(runId, { metrics: [], params: [], tags: [{ key: checkAppTagKey(key, 'set'), value }] });
      return tracking.getRun(runId);
    },
    'tracking.deleteRunTag': ({ runId, key }) => {
      tracking.deleteTag(runId, checkAppTagKey(key, 'delete'));
      return tracking.getRun(runId);
    },
    'tracking.deleteRun': ({ runId }) => tracking.setRunLifecycle(runId, 'deleted'),
    'tracking.restoreRun': ({ runId }) => tracking.setRunLifecycle(runId, 'active'),
  };
}
