import type { IncomingMessage, ServerResponse } from 'node:http';
import { OrreryError } from '../../../shared/errors';
import type { ArtifactStore } from '../../services/tracking/artifact-store';
import type { TrackingService } from '../../services/tracking/tracking-service';
import { handleArtifactRequest } from './mlflow-artifact-routes';
import { toMlflowError } from './mlflow-errors';
import { readJsonBody } from '../http/read-json-body';
import { MlflowParams } from './mlflow-params';
import { MLFLOW_ARTIFACTS_PREFIX, MLFLOW_PREFIX, sendJson } from './mlflow-http';
import { mlflowJsonRoutes, type JsonRoute } from './mlflow-routes';
import { mlflowStreamRoutes, type StreamRoute } from './mlflow-stream-routes';
import { MlflowJobScope } from './mlflow-job-scope';
import { USER, type Caller } from '../../services/auth/caller';

const MAX_JSON_BODY = 20 * 1024 * 1024;

/** The MLflow tracking REST API: JSON endpoints, and the artifact proxy, with MLflow's error shapes. */
export class MlflowApi {
  private readonly routes: Record<string, JsonRoute>;
  private readonly streamRoutes: Record<string, StreamRoute>;
  private readonly scope: MlflowJobScope;

  constructor(
    private readonly tracking: TrackingService,
    private readonly artifacts: ArtifactStore,
    now: () => number = Date.now,
  ) {
    this.routes = mlflowJsonRoutes(tracking, artifacts, now);
    this.streamRoutes = mlflowStreamRoutes(tracking);
    this.scope = new MlflowJobScope(tracking, now);
  }

  sendError(res: ServerResponse, error: OrreryError): void {
    const { status, body } = toMlflowError(error);
    sendJson(res, status, body);
  }

  handles(pathname: string): boolean {
    return pathname.startsWith(MLFLOW_PREFIX) || pathname === MLFLOW_ARTIFACTS_PREFIX || pathname.startsWith(`${MLFLOW_ARTIFACTS_PREFIX}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, rawPath: string, caller: Caller = USER): Promise<void> {
    try {
      if (rawPath.startsWith(MLFLOW_ARTIFACTS_PREFIX)) {
        await handleArtifactRequest(req, res, url, rawPath, this.tracking, this.artifacts, (runId) => this.scope.checkRun(caller, runId));
        return;
      }
      const name = rawPath.slice(MLFLOW_PREFIX.length);
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
      const route = this.routes[`${method} ${name}`];
      const streamed = this.streamRoutes[`${method} ${name}`];
      if (!route && !streamed) {
        const other = this.routes[`${method === 'GET' ? 'POST' : 'GET'} ${name}`] ?? this.streamRoutes[`${method === 'GET' ? 'POST' : 'GET'} ${name}`];
        if (other) return sendJson(res, 405, { error_code: 'BAD_REQUEST', message: `Method ${method} is not allowed for ${url.pathname}.` });
        return sendJson(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `No API endpoint ${method} ${url.pathname}.` });
      }
      const body = method === 'GET' ? {} : await readJson(req);
      const params = new MlflowParams(body, url.searchParams);
      this.scope.checkRoute(caller, `${method} ${name}`, params);
      if (streamed) return await streamed(params, req, res);
      const result = await route!(params);
      sendJson(res, 200, result);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, body } = toMlflowError(error);
      if (status === 500) console.error('[mlflow] request failed:', error);
      sendJson(res, status, body);
    }
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  // MLflow 3.6 ignores a malformed body and complains about a missing field instead; we say what is wrong.
  const parsed = await readJsonBody(req, MAX_JSON_BODY);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OrreryError('INVALID_INPUT', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}
