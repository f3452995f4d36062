import http from 'node:http';
import type { InvokeResult } from '../../../shared/contract/serving';

/**
 * One request through a deployment's own gateway, as any client would send it: the "try it" box's
 * path (the UI never calls the stable URL cross-origin).
 */
export function invokeThroughGateway(input: {
  port: number;
  token: string | null;
  body: string;
  contentType: string;
  version?: number | undefined;
  timeoutMs: number;
}): Promise<InvokeResult> {
  const started = performance.now();
  const payload = Buffer.from(input.body, 'utf8');
  const headers: Record<string, string> = {
    'Content-Type': input.contentType,
    'Content-Length': String(payload.length),
    Host: `127.0.0.1:${input.port}`,
  };
  if (input.token) headers.Authorization = `Bearer ${input.token}`;
  if (input.version !== undefined) headers['X-Orrery-Version'] = String(input.version);
  return new Promise((resolve) => {
    const request = http.request({ host: '127.0.0.1', port: input.port, method: 'POST', path: '/invocations', headers, timeout: input.timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const version = Number(response.headers['x-orrery-version']);
        resolve({
          status: response.statusCode ?? 0,
          version: Number.isInteger(version) && version > 0 ? version : null,
          requestId: (response.headers['x-request-id'] as string | undefined) ?? null,
          latencyMs: performance.now() - started,
          contentType: response.headers['content-type'] ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const fail = (message: string) =>
      resolve({ status: 0, version: null, requestId: null, latencyMs: performance.now() - started, contentType: null, body: message });
    request.on('timeout', () => {
      request.destroy();
      fail(`No answer within ${Math.round(input.timeoutMs / 1000)} s`);
    });
    request.on('error', (error) => fail(`Could not reach the deployment's gateway on port ${input.port}: ${error.message}`));
    request.end(payload);
  });
}
