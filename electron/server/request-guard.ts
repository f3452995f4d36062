import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OrreryError } from '../../shared/errors';
import { USER, type Caller } from '../services/auth/caller';
import type { JobTokens } from '../services/auth/job-tokens';

/** Host header check against DNS rebinding: only our own loopback names with our own port. */
export function checkHost(req: IncomingMessage, port: number): OrreryError | null {
  const host = req.headers.host?.toLowerCase();
  if (host === `127.0.0.1:${port}` || host === `localhost:${port}`) return null;
  return new OrreryError('FORBIDDEN', `Host '${host ?? ''}' is not allowed: use http://127.0.0.1:${port}/`);
}

/** Browsers send Origin on cross-origin requests; we answer none of them and send no CORS headers. */
export function checkOrigin(req: IncomingMessage, port: number): OrreryError | null {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const own = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  if ((origin !== undefined && !own) || site === 'cross-site' || site === 'same-site') {
    return new OrreryError('FORBIDDEN', 'Cross-origin requests are refused.');
  }
  return null;
}

/** Bearer token check in constant time: the user's token, or a training job's token for its run. */
export function authenticate(req: IncomingMessage, token: string, jobTokens?: JobTokens): Caller | OrreryError {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return new OrreryError('UNAUTHORIZED', 'Missing token: send Authorization: Bearer <token>.');
  if (sameSecret(match[1], token)) return USER;
  const runId = jobTokens?.verify(match[1]) ?? null;
  if (runId !== null) return { kind: 'job', runId };
  return new OrreryError('UNAUTHORIZED', 'Wrong token.');
}

function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
