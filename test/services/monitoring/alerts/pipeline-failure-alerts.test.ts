import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../../shared/contract/monitoring';
import { OrreryError } from '../../../../shared/errors';
import { AlertRepository } from '../../../../electron/services/monitoring/alerts/alert-repository';
import { AlertsService } from '../../../../electron/services/monitoring/alerts/alerts-service';
import type { AlertNotifier, WebhookEvent } from '../../../../electron/services/monitoring/alerts/webhook-notifier';
import { EventBus } from '../../../../electron/services/events/event-bus';
import { openDatabase } from '../../../../electron/services/store/database';
import { ManualClock } from '../../../fakes/manual-clock';
import { tempDir } from '../../../helpers/temp-dir';

/** A failing pipeline as an incident: fired once per failing streak, resolved by a success, acknowledged like any alert. */
const T0 = 1_800_000_000_000;
const FILE = '/work/digits/orrery.pipeline.yaml';

let db: Database;
let clock: ManualClock;
let events: AlertEvent[];
let sent: Array<{ id: number; event: WebhookEvent; state: string; runId: string | null }>;
let service: AlertsService;

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  clock = new ManualClock(T0);
  const bus = new EventBus();
  events = [];
  bus.subscribe('monitoring.alert', (event) => events.push(event));
  sent = [];
  const notifier: AlertNotifier = { send: (alert, event) => sent.push({ id: alert.id, event, state: alert.state, runId: alert.pipeline?.runId ?? null }) };
  service = new AlertsService({ repository: new AlertRepository(db), bus, clock: clock.now, notifier, deploymentExists: (name) => name === 'fraud-api' });
});
afterEach(() => db.close());

const fail = (runId: string | null, stage: string | null = 'train', error = 'exited with code 1', file = FILE) => service.raisePipelineFailure({ file, name: 'digits', runId, stage, error });
const list = () => service.listAlerts({ limit: 100 });
const notified = () => events.filter((e) => e.notify);

describe('pipeline failure alerts', () => {
  it('fires once per failing streak naming the pipeline, stage, error and run; a success resolves it; the next failure is a new incident', () => {
    const first = fail('run-1');
    expect(first).toMatchObject({
      state: 'firing',
      source: 'pipeline',
      ruleId: null,
      deployment: null,
      metric: null,
      name: 'Pipeline failed',
      message: "pipeline digits failed at stage 'train' (run run-1): exited with code 1",
      startedAt: T0,
      firingAt: T0,
      notifiedAt: T0,
      pipeline: { file: FILE, name: 'digits', runId: 'run-1', stage: 'train', error: 'exited with code 1', failures: 1 },
    });
    expect(notified().map((e) => e.id)).toEqual([first.id]);
    expect(sent).toEqual([{ id: first.id, event: 'firing', state: 'firing', runId: 'run-1' }]);

    // Still failing: the same incident points at the newest run and counts, but nobody is told again.
    clock.set(T0 + 60_000);
    const second = fail('run-2', 'evaluate', 'accuracy 0.81 < 0.9');
    expect(second).toMatchObject({ id: first.id, state: 'firing', startedAt: T0, firingAt: T0, notifiedAt: T0 });
    expect(second.pipeline).toMatchObject({ runId: 'run-2', stage: 'evaluate', error: 'accuracy 0.81 < 0.9', failures: 2 });
    expect(second.message).toBe("pipeline digits failed at stage 'evaluate' (run run-2): accuracy 0.81 < 0.9; 2 failures in a row");
    expect(list()).toHaveLength(1);
    expect(notified()).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ id: first.id, notify: false, pipeline: { runId: 'run-2' } });
    expect(sent).toHaveLength(1);

    clock.set(T0 + 120_000);
    const resolved = service.resolvePipelineFailure({ file: FILE });
    expect(resolved).toMatchObject({ id: first.id, state: 'resolved', resolvedAt: T0 + 120_000, message: second.message });
    expect(sent.at(-1)).toEqual({ id: first.id, event: 'resolved', state: 'resolved', runId: 'run-2' });
    expect(events.at(-1)).toMatchObject({ id: first.id, state: 'resolved', notify: false });

    // Nothing open: a success changes nothing and tells nobody.
    const before = events.length;
    expect(service.resolvePipelineFailure({ file: FILE })).toBeNull();
    expect(events).toHaveLength(before);
    expect(sent).toHaveLength(2);

    clock.set(T0 + 180_000);
    const again = fail('run-4');
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ state: 'firing', startedAt: T0 + 180_000, pipeline: { failures: 1 } });
    expect(notified().map((e) => e.id)).toEqual([first.id, again.id]);
    expect(list().map((a) => [a.id, a.state])).toEqual([
      [again.id, 'firing'],
      [first.id, 'resolved'],
    ]);
  });

  it('keeps one incident per pipeline file: another pipeline failing is its own alert', () => {
    const digits = fail('run-1');
    const other = fail('run-9', 'train', 'oom', '/work/fraud/dvc.yaml');
    expect(other.id).not.toBe(digits.id);
    expect(notified()).toHaveLength(2);
    service.resolvePipelineFailure({ file: '/work/fraud/dvc.yaml' });
    expect(list().map((a) => [a.pipeline?.file, a.state])).toEqual([
      ['/work/fraud/dvc.yaml', 'resolved'],
      [FILE, 'firing'],
    ]);
  });

  it('is acknowledged like any alert, and the acknowledgement stands through later failures of the streak', () => {
    const alert = fail('run-1');
    clock.set(T0 + 5000);
    const acked = service.acknowledgeAlert({ id: alert.id, actor: 'ana' });
    expect(acked).toMatchObject({ acknowledgedAt: T0 + 5000, acknowledgedBy: 'ana', state: 'firing' });
    expect(events.at(-1)).toMatchObject({ id: alert.id, acknowledgedBy: 'ana', notify: false });
    fail('run-2');
    expect(list()[0]).toMatchObject({ acknowledgedBy: 'ana', pipeline: { failures: 2 } });
  });

  it('says a pipeline alert cannot be silenced (it has no rule), and leaves it as it was', () => {
    const alert = fail('run-1');
    let error: unknown;
    try {
      service.silenceAlert({ id: alert.id, until: T0 + 3_600_000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OrreryError);
    expect((error as OrreryError).code).toBe('INVALID_INPUT');
    expect((error as OrreryError).message).toMatch(/^id: alert \d+ is a pipeline failure, which has no rule to silence/);
    expect(list()[0]).toMatchObject({ state: 'firing', silencedUntil: null });
  });

  it('raises a run that could not start (the file became invalid) with the trigger that asked, and links no run', () => {
    const alert = service.raisePipelineFailure({ file: FILE, name: 'digits', runId: null, stage: null, error: 'line 4: stages.train.needs: unknown stage "prep"', trigger: 'cron 0 3 * * *' });
    expect(alert).toMatchObject({ state: 'firing', pipeline: { runId: null, stage: null, failures: 1 } });
    expect(alert.message).toBe('pipeline digits could not start (cron 0 3 * * *): line 4: stages.train.needs: unknown stage "prep"');
    expect(sent).toHaveLength(1);
  });

  it('cuts a very long error to what an inbox line and a chat message can hold', () => {
    const alert = fail('run-1', 'train', `Traceback:\n${'x'.repeat(5000)}`);
    expect(alert.pipeline!.error).toHaveLength(500);
    expect(alert.pipeline!.error.endsWith('…')).toBe(true);
  });

  it('stays out of a deployment’s alerts, and a deployment’s rule alerts keep their shape', () => {
    service.createAlertRule({ deployment: 'fraud-api', name: 'errors', metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds: 0, enabled: true });
    service.observe('fraud-api', T0, [{ metric: 'error_rate', column: null, value: 0.5 }]);
    fail('run-1');
    expect(service.listAlerts({ deployment: 'fraud-api', limit: 10 }).map((a) => [a.source, a.metric, a.pipeline])).toEqual([['rule', 'error_rate', null]]);
    expect(service.listAlerts({ state: 'firing', limit: 10 }).map((a) => a.source)).toEqual(['pipeline', 'rule']);
    // A rule alert's tick (held-back notifications) passes over pipeline alerts.
    service.tick(T0 + 1000);
    expect(notified()).toHaveLength(2);
  });
});
