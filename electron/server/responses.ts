import type { ServerResponse } from 'node:http';
import { errorStatus, type Envelope, type OrreryError } from '../../shared/errors';

const API_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...API_HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: OrreryError): void {
  sendJson(res, errorStatus[error.code], { ok: false, error: error.toBody() });
}

export function sendEnvelope(res: ServerResponse, envelope: Envelope<unknown>): void {
  sendJson(res, envelope.ok ? 200 : errorStatus[envelope.error.code], envelope);
}
