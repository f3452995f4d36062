import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeedbackResult } from '../../../shared/contract/monitoring';
import { OrreryError } from '../../../shared/errors';
import { sendGatewayError } from './gateway-replies';

/** Where ground truth posted to a deployment's URL goes (the monitoring service). */
export type FeedbackSink = (deployment: string, labels: Array<{ requestId: string; label: unknown }>) => Promise<FeedbackResult>;

const MAX_FEEDBACK_BYTES = 16 * 1024 * 1024;

/**
 * POST /feedback on a deployment's URL: `{"labels": [{"request_id": "…", "label": …}, …]}`. The ids
 * are those the gateway answered in X-Request-Id (a caller's own unique X-Request-Id is kept), so a
 * label joins the logged prediction. Answers `{"recorded": n, "unknown": [...]}`.
 */
export function answerFeedback(req: IncomingMessage, res: ServerResponse, deployment: string, sink: FeedbackSink | null): void {
  if (req.method !== 'POST') return sendGatewayError(res, 405, 'INVALID_PARAMETER_VALUE', 'POST /feedback takes {"labels": [{"request_id": "…", "label": …}]}.', { allow: 'POST' });
  if (!sink) return sendGatewayError(res, 503, 'TEMPORARILY_UNAVAILABLE', 'Monitoring is not running here, so labels cannot be stored.');
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_FEEDBACK_BYTES && !refused) {
      refused = true;
      sendGatewayError(res, 413, 'REQUEST_LIMIT_EXCEEDED', `The feedback body is over ${MAX_FEEDBACK_BYTES} bytes; send the labels in smaller batches.`, { connection: 'close' });
      req.destroy();
    }
    if (!refused) chunks.push(chunk);
  });
  req.on('end', () => {
    if (refused) return;
    const parsed = parseLabels(Buffer.concat(chunks).toString('utf8'));
    if (typeof parsed === 'string') return sendGatewayError(res, 400, 'INVALID_PARAMETER_VALUE', parsed);
    sink(deployment, parsed).then(
      (result) => {
        const text = JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
        res.end(text);
      },
      (error: unknown) => {
        const status = error instanceof OrreryError && error.code === 'NOT_FOUND' ? 404 : error instanceof OrreryError && error.code === 'INVALID_INPUT' ? 400 : 500;
        const code = status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : status === 400 ? 'INVALID_PARAMETER_VALUE' : 'INTERNAL_ERROR';
        sendGatewayError(res, status, code, error instanceof Error ? error.message : String(error));
      },
    );
  });
}

/** The labels of a feedback body, or what is wrong with it (naming the field). */
export function parseLabels(text: string): Array<{ requestId: string; label: unknown }> | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'The body must be JSON: {"labels": [{"request_id": "…", "label": …}]}.';
  }
  const labels = body && typeof body === 'object' && !Array.isArray(body) ? (body as { labels?: unknown }).labels : undefined;
  if (!Array.isArray(labels) || labels.length === 0) return 'labels: must be a non-empty list of {"request_id": "…", "label": …}.';
  if (labels.length > 100_000) return `labels: at most 100000 labels per request, got ${labels.length}; send them in batches.`;
  const out: Array<{ requestId: string; label: unknown }> = [];
  for (const [i, item] of labels.entries()) {
    const entry = item && typeof item === 'object' ? (item as Record<string, unknown>) : null;
    const id = entry?.request_id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) return `labels[${i}].request_id: must be the request's id (a string of 1–200 characters).`;
    if (!entry || !('label' in entry) || entry.label === null || (typeof entry.label === 'object' && !Array.isArray(entry.label))) {
      return `labels[${i}].label: must be a number, a string, a boolean, or a list of them (one per row of a request of several rows).`;
    }
    const values: unknown[] = Array.isArray(entry.label) ? entry.label : [entry.label];
    if (values.some((v) => !['number', 'string', 'boolean'].includes(typeof v) || (typeof v === 'string' && v.length > 1000))) {
      return `labels[${i}].label: must be a number, a string of at most 1000 characters, a boolean, or a list of them.`;
    }
    out.push({ requestId: id, label: entry.label });
  }
  return out;
}
