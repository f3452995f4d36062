import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The gateway's own answers, in the shape MLflow's scoring server uses for errors
 * (`{"error_code": …, "message": …}`), so a client that reads MLflow errors reads these too.
 */
export function sendGatewayError(res: ServerResponse, status: number, errorCode: string, message: string, extra?: Record<string, string>): void {
  const text = JSON.stringify({ error_code: errorCode, message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(text);
}

/** The Host names a loopback listener answers to (DNS rebinding defence). */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/**
 * Why a request is refused before routing, or null. Browsers send Origin (or Sec-Fetch-Site) on
 * cross-origin requests; a scoring endpoint has no page of its own, so any Origin is refused.
 */
export function refusal(req: IncomingMessage, hosts: Set<string>, port: number, tokenDigest: Buffer | null): { status: number; code: string; message: string; extra?: Record<string, string> } | null {
  const host = req.headers.host;
  if (host === undefined || !hosts.has(host.toLowerCase())) {
    return { status: 403, code: 'PERMISSION_DENIED', message: `Host '${host ?? ''}' is not allowed: call http://127.0.0.1:${port}/invocations` };
  }
  const site = req.headers['sec-fetch-site'];
  if (req.headers.origin !== undefined || site === 'cross-site' || site === 'same-site') {
    return { status: 403, code: 'PERMISSION_DENIED', message: 'Cross-origin browser requests are refused.' };
  }
  if (tokenDigest) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      return { status: 401, code: 'UNAUTHENTICATED', message: 'This deployment requires a token: send Authorization: Bearer <token>.', extra: { 'www-authenticate': 'Bearer realm="orrery"' } };
    }
    if (!timingSafeEqual(digest(match[1]), tokenDigest)) {
      return { status: 401, code: 'UNAUTHENTICATED', message: 'Wrong token.', extra: { 'www-authenticate': 'Bearer realm="orrery", error="invalid_token"' } };
    }
  }
  return null;
}

/** Tokens are compared as digests, in constant time. */
export function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's X-Request-Id when it is a plain token of at most 128 characters; null otherwise. */
export function callerRequestId(req: IncomingMessage): string | null {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' && SANE_REQUEST_ID.test(id) ? id : null;
}
