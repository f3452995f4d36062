import http from 'node:http';
import type { ShadowObservation, UpstreamReplica } from '../../services/serving/serving-routes';
import type { FinishedExchange } from './proxy-exchange';
import { nextReplica, type VersionTarget } from './route-table';

export interface ShadowCopy {
  deployment: string;
  target: VersionTarget;
  exchange: FinishedExchange & { requestBody: Buffer };
  agent: http.Agent;
  timeoutMs: number;
  /** The shadow's answer is kept up to this many bytes. */
  maxAnswerBytes: number;
  observe(observation: ShadowObservation): void;
}

/**
 * Sends a copy of an answered request to a shadow replica and reports both answers. It runs
 * after the caller's response has finished, so the caller never waits for the shadow; its answer
 * is discarded once reported.
 */
export function sendShadowCopy(copy: ShadowCopy): void {
  const replica = nextReplica(copy.target);
  if (!replica) return;
  const started = performance.now();
  const at = Date.now();
  const chunks: Buffer[] = [];
  let kept = 0;
  let done = false;
  const finish = (status: number, modelError: boolean): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    copy.observe({
      deployment: copy.deployment,
      version: copy.target.version,
      requestId: copy.exchange.requestId,
      at,
      status,
      latencyMs: performance.now() - started,
      primaryLatencyMs: copy.exchange.latencyMs,
      primaryStatus: copy.exchange.status,
      primaryBody: copy.exchange.responseBody,
      shadowBody: Buffer.concat(chunks, kept),
      modelError,
    });
  };
  const req = request(replica, copy);
  const timer = setTimeout(() => {
    req.destroy();
    finish(504, false);
  }, copy.timeoutMs);
  req.on('response', (res) => {
    const modelError = res.headers['x-orrery-model-error'] === '1';
    res.on('data', (chunk: Buffer) => {
      if (kept < copy.maxAnswerBytes) {
        chunks.push(chunk);
        kept += chunk.length;
      }
    });
    res.on('end', () => finish(res.statusCode ?? 502, modelError));
    res.on('error', () => finish(502, false));
    res.on('aborted', () => finish(502, false));
  });
  req.on('error', () => finish(502, false));
  req.end(copy.exchange.requestBody);
}

function request(replica: UpstreamReplica, copy: ShadowCopy): http.ClientRequest {
  return http.request({
    host: replica.host,
    port: replica.port,
    method: 'POST',
    path: '/invocations',
    agent: copy.agent,
    headers: {
      host: `${replica.host}:${replica.port}`,
      'content-type': copy.exchange.contentType || 'application/json',
      'content-length': copy.exchange.requestBody.length,
      'x-request-id': copy.exchange.requestId,
    },
  });
}
