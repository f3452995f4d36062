import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OrreryError } from '../../../shared/errors';
import { parseArtifactPath, splitRunArtifactPath } from '../../../shared/artifact-path';
import type { ArtifactStore } from '../../services/tracking/artifact-store';
import type { TrackingService } from '../../services/tracking/tracking-service';
import { MLFLOW_ARTIFACTS_PREFIX, sendJson } from './mlflow-http';

const TEXT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.html': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'text/plain; charset=utf-8',
};

/**
 * The mlflow-artifacts proxy: PUT / GET / DELETE a file at <experiment>/<run>/artifacts/<path>,
 * and GET ?path= to list a folder. Paths are checked in their raw (encoded) form before any file
 * is touched, and must belong to a run that exists in that experiment.
 */
export async function handleArtifactRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawPath: string,
  tracking: TrackingService,
  artifacts: ArtifactStore,
  /** Throws when the caller may not touch this run's artifacts (a job's token, another run). */
  allowRun: (runId: string) => void = () => undefined,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (rawPath === MLFLOW_ARTIFACTS_PREFIX) {
    if (method !== 'GET') throw new OrreryError('INVALID_INPUT', `Method ${method} is not allowed for ${url.pathname}.`);
    const target = locate(parseArtifactPath(url.searchParams.get('path') ?? '', { encoded: false }), tracking);
    allowRun(target.runId);
    const entries = await artifacts.list(target.experimentId, target.runId, target.path);
    const prefix = target.path.length ? `${target.path.join('/')}/` : '';
    const files = entries.map((e) => ({
      path: e.path.startsWith(prefix) ? e.path.slice(prefix.length) : e.path,
      is_dir: e.isDir,
      ...(e.isDir ? {} : { file_size: e.size }),
    }));
    sendJson(res, 200, files.length ? { files } : {});
    return;
  }
  // The raw path, never the decoded URL: %2e%2e must be seen as what it is.
  const encoded = rawPath.slice(MLFLOW_ARTIFACTS_PREFIX.length + 1);
  const target = locate(parseArtifactPath(encoded, { encoded: true }), tracking);
  allowRun(target.runId);
  if (target.path.length === 0) throw new OrreryError('INVALID_INPUT', 'An artifact path must name a file inside the run.');
  if (method === 'PUT') {
    await artifacts.write(target.experimentId, target.runId, target.path, req);
    sendJson(res, 200, {});
  } else if (method === 'GET' || method === 'HEAD') {
    const file = await artifacts.open(target.experimentId, target.runId, target.path);
    res.writeHead(200, {
      'content-type': TEXT_TYPES[path.extname(file.file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': file.size,
      'x-content-type-options': 'nosniff',
      'content-disposition': `attachment; filename="${encodeURIComponent(target.path.at(-1) ?? 'artifact')}"`,
    });
    if (method === 'HEAD') {
      file.stream.destroy();
      res.end();
      return;
    }
    file.stream.pipe(res);
  } else if (method === 'DELETE') {
    await artifacts.remove(target.experimentId, target.runId, target.path);
    sendJson(res, 200, {});
  } else {
    throw new OrreryError('INVALID_INPUT', `Method ${method} is not allowed for artifacts.`);
  }
}

export function locate(segments: string[], tracking: TrackingService): { experimentId: string; runId: string; path: string[] } {
  const target = splitRunArtifactPath(segments);
  const run = tracking.getRunSummary(target.runId);
  if (run.experimentId !== target.experimentId) {
    throw new OrreryError('NOT_FOUND', `Run ${target.runId} does not belong to experiment ${target.experimentId}.`);
  }
  return target;
}
