import type { Database } from 'better-sqlite3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertView } from '../../../../shared/contract/monitoring';
import { AlertRepository } from '../../../../electron/services/monitoring/alerts/alert-repository';
import { AlertsService } from '../../../../electron/services/monitoring/alerts/alerts-service';
import { WebhookNotifier } from '../../../../electron/services/monitoring/alerts/webhook-notifier';
import { EventBus } from '../../../../electron/services/events/event-bus';
import { openDatabase } from '../../../../electron/services/store/database';
import { ManualClock } from '../../../fakes/manual-clock';
import { recordingFetch, type FetchCall } from '../../../fakes/recording-fetch';
import { tempDir } from '../../../helpers/temp-dir';

const T0 = 1_800_000_000_000;

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
}

/** A real HTTP server on 127.0.0.1 that records what reaches it and answers as `answer` says. */
async function receiver(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.writeHead(200).end('ok')) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { received, port: (server.address() as AddressInfo).port };
}

const servers: http.Server[] = [];
let db: Database;
let repository: AlertRepository;
let calls: FetchCall[];
let notifier: WebhookNotifier;
let service: AlertsService;
let clock: ManualClock;

function setUp(timeoutMs?: number): void {
  const recorded = recordingFetch();
  calls = recorded.calls;
  notifier = new WebhookNotifier({ fetch: recorded.fetch, settings: repository, timeoutMs });
  service = new AlertsService({ repository, bus: new EventBus(), clock: clock.now, notifier, deploymentExists: () => true });
  service.createAlertRule({ deployment: 'fraud-api', name: 'errors', metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds: 0, enabled: true });
}

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  repository = new AlertRepository(db);
  clock = new ManualClock(T0);
  setUp();
});
afterEach(async () => {
  await notifier.settled();
  db.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const observe = (at: number, value: number) => service.observe('fraud-api', at, [{ metric: 'error_rate', column: null, value }]);

describe('webhook notifier', () => {
  it('POSTs the alert as JSON with event "firing", then "resolved", to the URL the user set', async () => {
    const hook = await receiver();
    service.updateAlertSettings({ webhookUrl: `http://127.0.0.1:${hook.port}/hooks/orrery?team=ml` });
    observe(T0, 0.034);
    await notifier.settled();
    observe(T0 + 60_000, 0);
    await notifier.settled();
    expect(hook.received.map((r) => [r.method, r.path, r.contentType])).toEqual([
      ['POST', '/hooks/orrery?team=ml', 'application/json'],
      ['POST', '/hooks/orrery?team=ml', 'application/json'],
    ]);
    const [firing, resolved] = hook.received.map((r) => JSON.parse(r.body) as AlertView & { event: string });
    const [alert] = service.listAlerts({ limit: 10 });
    expect(firing).toEqual({ ...alert, state: 'firing', resolvedAt: null, event: 'firing' });
    expect(firing!.message).toBe('error_rate 0.034 > 0.01 on fraud-api');
    expect(resolved).toEqual({ ...alert, event: 'resolved' });
    expect(resolved!.state).toBe('resolved');
    expect(service.getAlertSettings().lastWebhookError).toBeNull();
  });

  it('POSTs a pipeline failure as "firing" with the pipeline, stage, error and run, once per streak, then "resolved" when a run succeeds', async () => {
    const hook = await receiver();
    service.updateAlertSettings({ webhookUrl: `http://127.0.0.1:${hook.port}/hooks` });
    const file = '/work/digits/orrery.pipeline.yaml';
    service.raisePipelineFailure({ file, name: 'digits', runId: 'run-1', stage: 'train', error: 'exited with code 1' });
    service.raisePipelineFailure({ file, name: 'digits', runId: 'run-2', stage: 'train', error: 'exited with code 1' });
    await notifier.settled();
    service.resolvePipelineFailure({ file });
    await notifier.settled();
    const bodies = hook.received.map((r) => JSON.parse(r.body) as AlertView & { event: string });
    expect(bodies.map((b) => [b.event, b.state, b.pipeline?.runId])).toEqual([
      ['firing', 'firing', 'run-1'],
      ['resolved', 'resolved', 'run-2'],
    ]);
    expect(bodies[0]).toMatchObject({
      source: 'pipeline',
      deployment: null,
      ruleId: null,
      name: 'Pipeline failed',
      message: "pipeline digits failed at stage 'train' (run run-1): exited with code 1",
      pipeline: { file, name: 'digits', runId: 'run-1', stage: 'train', error: 'exited with code 1', failures: 1 },
    });
    const [alert] = service.listAlerts({ limit: 10 });
    expect(bodies[1]).toEqual({ ...alert, event: 'resolved' });
  });

  it('sends nothing when no URL is set', async () => {
    observe(T0, 0.5);
    await notifier.settled();
    expect(calls).toEqual([]);
    expect(service.listAlerts({ limit: 10 })[0]!.notifiedAt).toBe(T0);
  });

  it('records a failing webhook as lastWebhookError without breaking observe, and clears it on the next success', async () => {
    let status = 500;
    const hook = await receiver((_req, res) => res.writeHead(status).end());
    const url = `http://127.0.0.1:${hook.port}/hook`;
    service.updateAlertSettings({ webhookUrl: url });
    expect(() => observe(T0, 0.5)).not.toThrow();
    await notifier.settled();
    expect(service.getAlertSettings()).toEqual({ webhookUrl: url, lastWebhookError: `webhook ${url} answered HTTP 500 Internal Server Error` });
    expect(service.listAlerts({ limit: 10 })[0]).toMatchObject({ state: 'firing', notifiedAt: T0 });
    status = 204;
    observe(T0 + 1000, 0);
    await notifier.settled();
    expect(hook.received).toHaveLength(2);
    expect(service.getAlertSettings().lastWebhookError).toBeNull();
  });

  it('records a webhook nobody listens on as unreachable', async () => {
    const closed = await receiver();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    service.updateAlertSettings({ webhookUrl: `http://127.0.0.1:${closed.port}/hook` });
    expect(() => observe(T0, 0.5)).not.toThrow();
    await notifier.settled();
    expect(service.getAlertSettings().lastWebhookError).toMatch(/^webhook unreachable: .*ECONNREFUSED/);
  });

  it('gives up on a webhook that does not answer within the timeout', async () => {
    setUp(200);
    const hook = await receiver(() => undefined);
    service.updateAlertSettings({ webhookUrl: `http://127.0.0.1:${hook.port}/slow` });
    const started = Date.now();
    observe(T0, 0.5);
    await notifier.settled();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(service.getAlertSettings().lastWebhookError).toBe('webhook did not answer within 0.2 s');
  });

  it('follows a redirect on the same host but not one to another host', async () => {
    const elsewhere = await receiver();
    const hook = await receiver((req, res) => {
      if (req.url === '/old') res.writeHead(308, { location: '/new' }).end();
      else if (req.url === '/new') res.writeHead(200).end();
      else res.writeHead(307, { location: `http://localhost:${elsewhere.port}/steal` }).end();
    });
    service.updateAlertSettings({ webhookUrl: `http://127.0.0.1:${hook.port}/old` });
    observe(T0, 0.5);
    await notifier.settled();
    expect(hook.received.map((r) => [r.path, r.contentType, r.body.length > 0])).toEqual([
      ['/old', 'application/json', true],
      ['/new', 'application/json', true],
    ]);
    expect(service.getAlertSettings().lastWebhookError).toBeNull();

    service.updateAlertSettings({ webhookUrl: `http://127.0.0.1:${hook.port}/other` });
    observe(T0 + 1000, 0);
    await notifier.settled();
    expect(elsewhere.received).toEqual([]);
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(['/old', '/new', '/other']);
    expect(service.getAlertSettings().lastWebhookError).toBe(`webhook http://127.0.0.1:${hook.port}/other redirected to another host (localhost:${elsewhere.port}); not followed`);
  });
});
