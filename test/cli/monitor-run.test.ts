import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli } from '../../electron/cli/models-command';
import { runMonitoring } from '../../electron/cli/monitor-run';
import type { AlertView, MonitorView, MonitorWindowDetail, MonitorWindowView } from '../../shared/contract/monitoring';
import { tempDir } from '../helpers/temp-dir';

/**
 * runMonitoring against a stand-in Orrery (an HTTP server answering each monitoring method with a
 * set envelope, recording what it was asked): the calls made, stdout and the exit status, for the
 * commands that need a served deployment (the real app is tested in monitor-cli.test.ts).
 */

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A data dir whose server.json names a server answering `answers[method]`; `asked` collects the calls. */
async function orreryAnswering(answers: Record<string, unknown>, asked: Array<{ method: string; input: unknown }>): Promise<string> {
  server = http.createServer((req, res) => {
    const method = decodeURIComponent(req.url?.replace('/api/rpc/', '') ?? '');
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url !== '/api/health') asked.push({ method, input: JSON.parse(body || '{}') as unknown });
      const answer = req.url === '/api/health' ? { ok: true } : (answers[method] ?? { ok: false, error: { code: 'NOT_FOUND', message: `no ${method}` } });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  const dataDir = tempDir();
  fs.writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify({ url, port: 0, token: 't', pid: process.pid, version: '0' }));
  return dataDir;
}

async function run(dataDir: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = parseCli(argv, { actor: 'ci-bot', cwd: '/work/here', now: T0 });
  if (command.kind !== 'monitoring') throw new Error('not a monitoring command');
  let stdout = '';
  try {
    return { code: await runMonitoring(command, dataDir, { out: async (t) => void (stdout += t), now: () => T0 }), stdout, stderr: '' };
  } catch (error) {
    // What orrery.ts prints for a failure, with exit status 1.
    return { code: 1, stdout, stderr: `orrery: ${(error as Error).message}\n` };
  }
}

const window: MonitorWindowView = {
  id: 41,
  deployment: 'web',
  seq: 5,
  startAt: T0,
  endAt: T0 + 600_000,
  requests: 80,
  rows: 1000,
  unseenRows: 0,
  status: 'checked',
  datasetDrift: false,
  driftShare: 0,
  driftedColumns: 0,
  testedColumns: 1,
  qualityBreaches: 0,
  cells: [],
  performance: null,
  note: null,
};

const monitor: MonitorView = {
  deployment: 'web',
  state: 'watching',
  reason: null,
  source: { kind: 'file', path: '/work/here/train.csv' },
  settings: { windowRequests: 1000, windowMinutes: null, driftShare: 0.5, minRows: 30, columnKinds: {}, methods: {}, predictionColumn: 'prediction' },
  reference: { rows: 500, columns: [{ name: 'age', kind: 'numeric', missingShare: 0, min: 18, max: 90, mean: 41, std: 10, categories: null }], form: 'exact', createdAt: T0 - 3_600_000 },
  collected: 0,
  pendingRows: 12,
  latest: window,
  runMetrics: null,
  createdAt: T0 - 3_600_000,
  updatedAt: T0,
};

const detail: MonitorWindowDetail = {
  ...window,
  report: {
    referenceRows: 500,
    currentRows: 1000,
    columns: [
      {
        column: 'age', kind: 'numeric', role: 'feature', method: 'ks', statistic: 0.02, pValue: 0.8, threshold: 0.05, basis: 'p-value', drift: false, score: 0,
        effect: { name: 'm', value: 0.01, text: 'mean moved +0.01 σ' }, errorBound: null, referenceRows: 500, currentRows: 1000, note: null,
      },
    ],
    driftShare: 0,
    driftShareThreshold: 0.5,
    datasetDrift: false,
    driftedColumns: 0,
    testedColumns: 1,
    quality: { missingColumns: [], extraColumns: [], columns: [], breaches: 0 },
    referenceForm: 'exact',
    tookMs: 3,
  },
};

const ok = (result: unknown) => ({ ok: true, result });

describe('orrery monitor status', () => {
  it('asks for the monitor, the latest N windows and the newest one\'s report, and prints them', async () => {
    const asked: Array<{ method: string; input: unknown }> = [];
    const older = { ...window, id: 40, seq: 4, startAt: T0 - 600_000, endAt: T0 };
    const dataDir = await orreryAnswering({ 'monitoring.getMonitor': ok(monitor), 'monitoring.listWindows': ok([older, window]), 'monitoring.getWindow': ok(detail) }, asked);
    const result = await run(dataDir, 'monitor', 'status', 'web', '--windows', '2');
    expect(asked).toEqual([
      { method: 'monitoring.getMonitor', input: { deployment: 'web' } },
      { method: 'monitoring.listWindows', input: { deployment: 'web', limit: 2 } },
      { method: 'monitoring.getWindow', input: { deployment: 'web', windowId: 41 } },
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^web: watching\n {2}reference: file \/work\/here\/train\.csv\n/);
    expect(result.stdout).toContain('Windows (latest 2):');
    expect(result.stdout).toMatch(/^#4 +2026-11-30T08:50:00Z +2026-11-30T09:00:00Z +1000 +0 +0% \(0\/1\) +no drift +ok$/m);
    expect(result.stdout).toMatch(/^age +numeric +ks +0\.02 +0\.8 +p ≤ 0\.05 +no drift +mean moved \+0\.01 σ$/m);
    expect(result.stdout).toContain('Data quality: no breach');
    expect(result.stdout.endsWith('No dataset drift: 0 of 1 tested column drift (0%), threshold 50%.\n')).toBe(true);

    const json = await run(dataDir, 'monitor', 'status', 'web', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ monitor, windows: [older, window], latest: detail });
  });

  it('no window yet: no report is asked for', async () => {
    const asked: Array<{ method: string; input: unknown }> = [];
    const dataDir = await orreryAnswering({ 'monitoring.getMonitor': ok({ ...monitor, latest: null }), 'monitoring.listWindows': ok([]) }, asked);
    const result = await run(dataDir, 'monitor', 'status', 'web');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Windows (latest 0):\nNo window checked yet.\n');
    expect(asked.map((a) => a.method)).toEqual(['monitoring.getMonitor', 'monitoring.listWindows']);
  });

  it('a deployment without a reference: exit 1, saying how to set one', async () => {
    const dataDir = await orreryAnswering({ 'monitoring.getMonitor': ok(null) }, []);
    expect(await run(dataDir, 'monitor', 'status', 'web')).toEqual({
      code: 1,
      stdout: '',
      stderr: "orrery: deployment 'web' has no reference yet: set one with orrery monitor reference web --file REF (or --requests N)\n",
    });
  });
});

describe('orrery monitor reference, check, feedback and alerts', () => {
  it('reference sends the absolute file and settings, and prints the monitor', async () => {
    const asked: Array<{ method: string; input: unknown }> = [];
    const dataDir = await orreryAnswering({ 'monitoring.setReference': ok(monitor) }, asked);
    const result = await run(dataDir, 'monitor', 'reference', 'web', '--file', 'train.csv', '--window-requests', '1000');
    expect(asked).toEqual([{ method: 'monitoring.setReference', input: { deployment: 'web', source: { kind: 'file', path: '/work/here/train.csv' }, windowRequests: 1000, actor: 'ci-bot' } }]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  reference profile: 500 rows, 1 column (exact), built 2026-11-30T08:00:00Z\n');
  });

  it('check prints the window it closed, or that there was nothing to check; feedback what was recorded', async () => {
    const dataDir = await orreryAnswering({ 'monitoring.checkMonitor': ok(window), 'monitoring.importFeedback': ok({ recorded: 3, unknown: ['x1'] }) }, []);
    expect((await run(dataDir, 'monitor', 'check', 'web')).stdout).toMatch(/^web: closed and checked window #5\nWINDOW /);
    const feedback = await run(dataDir, 'monitor', 'feedback', 'web', '--file', 'labels.csv', '--id-column', 'id', '--label-column', 'y');
    expect(feedback.stdout).toBe('web: recorded 3 labels; 1 request id not in the request log, skipped: x1\n');
    const empty = await orreryAnswering({ 'monitoring.checkMonitor': ok(null) }, []);
    expect((await run(empty, 'monitor', 'check', 'web')).stdout).toBe('web: no row was logged since the last window, so there was nothing to check.\n');
  });

  it('ack and silence print the alert as it is now; a silence in the past lifts it', async () => {
    const alert: AlertView = {
      id: 9, ruleId: 2, deployment: 'web', name: 'Error rate', metric: 'error_rate', state: 'firing', value: 0.04, threshold: 0.01, comparison: '>',
      message: 'Error rate 4% over 1% for 5 minutes', startedAt: T0 - 600_000, firingAt: T0 - 300_000, resolvedAt: null, acknowledgedAt: T0, acknowledgedBy: 'ci-bot',
      silencedUntil: T0 + 7_200_000, notifiedAt: T0 - 300_000,
    };
    const asked: Array<{ method: string; input: unknown }> = [];
    const dataDir = await orreryAnswering({ 'monitoring.acknowledgeAlert': ok(alert), 'monitoring.silenceAlert': ok(alert) }, asked);
    expect((await run(dataDir, 'alerts', 'ack', '9')).stdout).toBe(
      'Acknowledged:\n#9  FIRING  web  Error rate: error_rate 0.04 (rule > 0.01)\n    Error rate 4% over 1% for 5 minutes\n' +
        '    started 2026-11-30T08:50:00Z, firing 2026-11-30T08:55:00Z; acknowledged by ci-bot 2026-11-30T09:00:00Z; silenced until 2026-11-30T11:00:00Z\n',
    );
    expect((await run(dataDir, 'alerts', 'silence', '9', '--until', '2h')).stdout).toMatch(/^Silenced: no notification from this rule until then:\n#9 /);
    expect(asked.at(-1)).toEqual({ method: 'monitoring.silenceAlert', input: { id: 9, until: T0 + 7_200_000, actor: 'ci-bot' } });
    const lifted = await orreryAnswering({ 'monitoring.silenceAlert': ok({ ...alert, silencedUntil: T0 - 1 }) }, []);
    expect((await run(lifted, 'alerts', 'silence', '9', '--until', '2026-11-30T08:00:00Z')).stdout).toMatch(/^Silence lifted:\n#9 .*\n.*\n.*acknowledged by ci-bot 2026-11-30T09:00:00Z\n$/);
  });
});
