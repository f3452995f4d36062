import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent, AlertView } from '../../../../shared/contract/monitoring';
import { OrreryError } from '../../../../shared/errors';
import { AlertRepository } from '../../../../electron/services/monitoring/alerts/alert-repository';
import { AlertsService } from '../../../../electron/services/monitoring/alerts/alerts-service';
import type { AlertNotifier, WebhookEvent } from '../../../../electron/services/monitoring/alerts/webhook-notifier';
import { EventBus } from '../../../../electron/services/events/event-bus';
import { openDatabase } from '../../../../electron/services/store/database';
import { ManualClock } from '../../../fakes/manual-clock';
import { tempDir } from '../../../helpers/temp-dir';

const T0 = 1_800_000_000_000;
const MIN = 60_000;

let db: Database;
let clock: ManualClock;
let events: AlertEvent[];
let sent: Array<{ id: number; event: WebhookEvent; state: string }>;
let service: AlertsService;
let repository: AlertRepository;

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  clock = new ManualClock(T0);
  const bus = new EventBus();
  events = [];
  bus.subscribe('monitoring.alert', (event) => events.push(event));
  sent = [];
  const notifier: AlertNotifier = { send: (alert, event) => sent.push({ id: alert.id, event, state: alert.state }) };
  repository = new AlertRepository(db);
  service = new AlertsService({ repository, bus, clock: clock.now, notifier, deploymentExists: (name) => name === 'fraud-api' || name === 'churn' });
});
afterEach(() => db.close());

const errorRate = (value: number | null) => [{ metric: 'error_rate' as const, column: null, value }];
const errorRule = (forSeconds = 300) => service.createAlertRule({ deployment: 'fraud-api', name: 'errors', metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds, enabled: true });
/** Observes at the clock's time after moving it on. */
function observeAt(offsetMs: number, values: Parameters<AlertsService['observe']>[2], deployment = 'fraud-api'): void {
  clock.set(T0 + offsetMs);
  service.observe(deployment, T0 + offsetMs, values);
}
const notified = () => events.filter((e) => e.notify);
const list = (more: { deployment?: string; state?: AlertView['state'] } = {}) => service.listAlerts({ limit: 200, ...more });

function thrown(work: () => unknown): OrreryError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(OrreryError);
    return error as OrreryError;
  }
  throw new Error('expected an OrreryError');
}

describe('alerts service: an incident from pending to resolved', () => {
  it('opens pending, fires after the for-duration with one notification saying what crossed what, and resolves when it clears', () => {
    const rule = errorRule();
    observeAt(0, errorRate(0.02));
    expect(list()).toMatchObject([{ ruleId: rule.id, state: 'pending', value: 0.02, startedAt: T0, firingAt: null, message: 'error_rate 0.02 > 0.01 on fraud-api; fires if it holds for 5 min' }]);
    observeAt(4 * MIN, errorRate(0.05));
    expect(list()[0]!.state).toBe('pending');
    observeAt(5 * MIN, errorRate(0.034));
    const [firing] = list();
    expect(firing).toMatchObject({ state: 'firing', value: 0.034, firingAt: T0 + 5 * MIN, notifiedAt: T0 + 5 * MIN, message: 'error_rate 0.034 > 0.01 for 5 min on fraud-api', name: 'errors', metric: 'error_rate', comparison: '>', threshold: 0.01 });
    observeAt(6 * MIN, errorRate(0.2));
    observeAt(7 * MIN, errorRate(0.001));
    expect(list()).toMatchObject([{ id: firing!.id, state: 'resolved', resolvedAt: T0 + 7 * MIN, message: 'error_rate 0.034 > 0.01 for 5 min on fraud-api' }]);
    expect(events.map((e) => [e.state, e.notify])).toEqual([
      ['pending', false],
      ['firing', true],
      ['resolved', false],
    ]);
    expect(sent).toEqual([
      { id: firing!.id, event: 'firing', state: 'firing' },
      { id: firing!.id, event: 'resolved', state: 'resolved' },
    ]);
  });

  it('drops a pending incident that clears before firing: the inbox keeps only what fired', () => {
    errorRule();
    observeAt(0, errorRate(0.02));
    observeAt(MIN, errorRate(0));
    expect(list()).toEqual([]);
    expect(events.map((e) => e.state)).toEqual(['pending', 'resolved']);
    expect(sent).toEqual([]);
  });

  it('changes nothing on no data, and leaves rules without a value in this call alone', () => {
    const rule = errorRule(0);
    service.createAlertRule({ deployment: 'fraud-api', name: 'slow', metric: 'p95_ms', column: null, comparison: '>', threshold: 500, forSeconds: 0, enabled: true });
    observeAt(0, errorRate(0.5));
    observeAt(MIN, errorRate(null));
    observeAt(2 * MIN, [{ metric: 'p95_ms', column: null, value: 100 }]);
    expect(list()).toMatchObject([{ ruleId: rule.id, state: 'firing' }]);
    expect(events).toHaveLength(1);
  });

  it('matches per-column rules on their column only, and ignores disabled rules and other deployments', () => {
    const age = service.createAlertRule({ deployment: 'fraud-api', name: 'age drift', metric: 'column_drift', column: 'age', comparison: '>=', threshold: 0.5, forSeconds: 0, enabled: true });
    service.createAlertRule({ deployment: 'fraud-api', name: 'off', metric: 'column_drift', column: 'age', comparison: '>=', threshold: 0.5, forSeconds: 0, enabled: false });
    service.createAlertRule({ deployment: 'churn', name: 'churn age', metric: 'column_drift', column: 'age', comparison: '>=', threshold: 0.5, forSeconds: 0, enabled: true });
    observeAt(0, [
      { metric: 'column_drift', column: 'income', value: 0.9 },
      { metric: 'column_drift', column: 'age', value: 0.7 },
    ]);
    expect(list()).toMatchObject([{ ruleId: age.id, deployment: 'fraud-api', value: 0.7, message: 'column_drift of age 0.7 >= 0.5 on fraud-api' }]);
    expect(list({ deployment: 'churn' })).toEqual([]);
  });

  it('lists newest first, filtered by deployment and state, up to the limit', () => {
    errorRule(0);
    service.createAlertRule({ deployment: 'churn', name: 'errors', metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds: 0, enabled: true });
    observeAt(0, errorRate(0.5));
    observeAt(MIN, errorRate(0));
    observeAt(2 * MIN, errorRate(0.5));
    observeAt(3 * MIN, errorRate(0.5), 'churn');
    expect(list().map((a) => [a.deployment, a.state, a.startedAt - T0])).toEqual([
      ['churn', 'firing', 3 * MIN],
      ['fraud-api', 'firing', 2 * MIN],
      ['fraud-api', 'resolved', 0],
    ]);
    expect(list({ deployment: 'fraud-api', state: 'resolved' }).map((a) => a.startedAt)).toEqual([T0]);
    expect(service.listAlerts({ limit: 1 })).toHaveLength(1);
  });
});

describe('alerts service: one notification per incident', () => {
  it('holds the notification of an incident that fires while silenced, sends it once when the silence ends, and never again', () => {
    errorRule(300);
    observeAt(0, errorRate(0.02));
    const pending = list()[0]!;
    const silenced = service.silenceAlert({ id: pending.id, until: T0 + 30 * MIN, actor: 'ana' });
    expect(silenced.silencedUntil).toBe(T0 + 30 * MIN);
    expect(service.listAlertRules({ deployment: 'fraud-api' })[0]!.silencedUntil).toBe(T0 + 30 * MIN);
    observeAt(5 * MIN, errorRate(0.03));
    expect(list()[0]).toMatchObject({ state: 'firing', notifiedAt: null });
    service.tick(T0 + 29 * MIN);
    observeAt(20 * MIN, errorRate(0.04));
    expect(notified()).toEqual([]);
    service.tick(T0 + 30 * MIN);
    expect(notified()).toMatchObject([{ id: pending.id, state: 'firing', notifiedAt: T0 + 30 * MIN }]);
    service.tick(T0 + 31 * MIN);
    observeAt(32 * MIN, errorRate(0.04));
    expect(notified()).toHaveLength(1);
    expect(sent.filter((s) => s.event === 'firing')).toHaveLength(1);
  });

  it('does not notify again when an alert already notified is silenced and the silence ends; a new incident gets its own', () => {
    errorRule(0);
    observeAt(0, errorRate(0.5));
    const first = list()[0]!;
    service.silenceAlert({ id: first.id, until: T0 + 10 * MIN, actor: 'ana' });
    service.tick(T0 + 11 * MIN);
    observeAt(12 * MIN, errorRate(0.5));
    expect(notified().map((e) => e.id)).toEqual([first.id]);
    observeAt(13 * MIN, errorRate(0));
    observeAt(14 * MIN, errorRate(0.5));
    const second = list()[0]!;
    expect(second.id).not.toBe(first.id);
    expect(notified().map((e) => e.id)).toEqual([first.id, second.id]);
  });

  it('never notifies an incident that resolved during its silence, nor sends it a resolved webhook', () => {
    errorRule(0);
    observeAt(0, errorRate(0.5));
    observeAt(MIN, errorRate(0));
    service.silenceAlert({ id: list()[0]!.id, until: T0 + 60 * MIN, actor: 'ana' });
    events.length = 0;
    sent.length = 0;
    observeAt(2 * MIN, errorRate(0.5));
    observeAt(3 * MIN, errorRate(0));
    service.tick(T0 + 61 * MIN);
    expect(list()[0]).toMatchObject({ state: 'resolved', notifiedAt: null });
    expect(events.map((e) => [e.state, e.notify])).toEqual([
      ['firing', false],
      ['resolved', false],
    ]);
    expect(sent).toEqual([]);
  });

  it('sends no resolved webhook for an incident that was told, then resolves while its rule is silenced', () => {
    errorRule(0);
    observeAt(0, errorRate(0.5));
    expect(sent.map((s) => s.event)).toEqual(['firing']);
    service.silenceAlert({ id: list()[0]!.id, until: T0 + 60 * MIN, actor: 'ana' });
    observeAt(2 * MIN, errorRate(0));
    expect(list()[0]!.state).toBe('resolved');
    expect(sent.map((s) => s.event)).toEqual(['firing']);
  });

  it('delivers a held-back notification at once when the silence is lifted with a time already past', () => {
    errorRule(0);
    observeAt(0, errorRate(0.5));
    observeAt(MIN, errorRate(0));
    service.silenceAlert({ id: list()[0]!.id, until: T0 + 60 * MIN, actor: 'ana' });
    observeAt(2 * MIN, errorRate(0.5));
    const held = list()[0]!;
    expect(held).toMatchObject({ state: 'firing', notifiedAt: null, silencedUntil: T0 + 60 * MIN });
    clock.set(T0 + 5 * MIN);
    expect(service.silenceAlert({ id: held.id, until: T0, actor: 'ana' })).toMatchObject({ id: held.id, notifiedAt: T0 + 5 * MIN, silencedUntil: T0 });
    expect(notified().filter((e) => e.id === held.id)).toHaveLength(1);
    expect(sent.filter((x) => x.id === held.id)).toEqual([{ id: held.id, event: 'firing', state: 'firing' }]);
  });
});

describe('alerts service: acknowledge and silence', () => {
  it('acknowledges an alert once, keeping who saw it first, and publishes the change', () => {
    errorRule(0);
    observeAt(0, errorRate(0.5));
    const alert = list()[0]!;
    clock.set(T0 + MIN);
    expect(service.acknowledgeAlert({ id: alert.id, actor: 'ana' })).toMatchObject({ id: alert.id, state: 'firing', acknowledgedAt: T0 + MIN, acknowledgedBy: 'ana' });
    expect(events.at(-1)).toMatchObject({ id: alert.id, acknowledgedBy: 'ana', notify: false });
    clock.set(T0 + 2 * MIN);
    expect(service.acknowledgeAlert({ id: alert.id, actor: 'bo' })).toMatchObject({ acknowledgedAt: T0 + MIN, acknowledgedBy: 'ana' });
    const missing = thrown(() => service.acknowledgeAlert({ id: 999, actor: 'ana' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toBe('id: no alert 999');
  });

  it('silences the rule, so later incidents of the rule are silenced too, and publishes the change', () => {
    errorRule(0);
    observeAt(0, errorRate(0.5));
    const alert = list()[0]!;
    observeAt(MIN, errorRate(0));
    service.silenceAlert({ id: alert.id, until: T0 + 60 * MIN, actor: 'ana' });
    expect(events.at(-1)).toMatchObject({ id: alert.id, silencedUntil: T0 + 60 * MIN, notify: false });
    observeAt(2 * MIN, errorRate(0.5));
    expect(list()[0]).toMatchObject({ state: 'firing', notifiedAt: null, silencedUntil: T0 + 60 * MIN });
    expect(thrown(() => service.silenceAlert({ id: 12345, until: T0, actor: 'ana' })).code).toBe('NOT_FOUND');
  });
});

describe('alerts service: rules', () => {
  it('refuses a column for a metric that takes none, a missing one for a metric that needs it, an unknown deployment or rule', () => {
    const base = { name: 'r', comparison: '>' as const, threshold: 1, forSeconds: 0, enabled: true };
    const noColumn = thrown(() => service.createAlertRule({ ...base, deployment: 'fraud-api', metric: 'error_rate', column: 'age' }));
    expect(noColumn.code).toBe('INVALID_INPUT');
    expect(noColumn.message).toMatch(/^column: metric error_rate takes no column/);
    expect(thrown(() => service.createAlertRule({ ...base, deployment: 'fraud-api', metric: 'missing_share', column: null })).message).toMatch(/^column: metric missing_share is measured per column/);
    const unknown = thrown(() => service.createAlertRule({ ...base, deployment: 'nope', metric: 'error_rate', column: null }));
    expect([unknown.code, unknown.message]).toEqual(['NOT_FOUND', "deployment: no deployment named 'nope'"]);
    expect(thrown(() => service.updateAlertRule({ id: 77, threshold: 2 })).message).toBe('id: no alert rule 77');
    expect(thrown(() => service.deleteAlertRule({ id: 77 })).code).toBe('NOT_FOUND');
    expect(service.listAlertRules({ deployment: 'fraud-api' })).toEqual([]);
  });

  it('edits a rule; the next observation uses the new threshold', () => {
    const rule = errorRule(0);
    expect(service.updateAlertRule({ id: rule.id, threshold: 0.1, name: 'errors over 10%' })).toEqual({ ...rule, threshold: 0.1, name: 'errors over 10%' });
    observeAt(0, errorRate(0.05));
    expect(list()).toEqual([]);
    observeAt(MIN, errorRate(0.15));
    expect(list()[0]).toMatchObject({ name: 'errors over 10%', threshold: 0.1, message: 'error_rate 0.15 > 0.1 on fraud-api' });
  });

  it('resolves the open incident when its rule is switched off or deleted; a resolved alert stays in the inbox', () => {
    const rule = errorRule(0);
    observeAt(0, errorRate(0.5));
    clock.set(T0 + MIN);
    service.updateAlertRule({ id: rule.id, enabled: false });
    expect(list()[0]).toMatchObject({ state: 'resolved', resolvedAt: T0 + MIN });
    observeAt(2 * MIN, errorRate(0.5));
    expect(list()).toHaveLength(1);
    service.updateAlertRule({ id: rule.id, enabled: true });
    observeAt(3 * MIN, errorRate(0.5));
    clock.set(T0 + 4 * MIN);
    expect(service.deleteAlertRule({ id: rule.id })).toEqual({ deleted: true });
    expect(list().map((a) => [a.state, a.resolvedAt, a.name, a.threshold])).toEqual([
      ['resolved', T0 + 4 * MIN, 'errors', 0.01],
      ['resolved', T0 + MIN, 'errors', 0.01],
    ]);
    expect(events.at(-1)).toMatchObject({ state: 'resolved', silencedUntil: null });
    expect(service.listAlertRules({ deployment: 'fraud-api' })).toEqual([]);
    expect(thrown(() => service.silenceAlert({ id: list()[0]!.id, until: T0, actor: 'ana' })).message).toMatch(/rule of alert \d+ was deleted/);
  });

  it('gives a deployment its default rules once, editable afterwards, and again only after it is forgotten', () => {
    service.ensureDefaultRules('fraud-api');
    service.ensureDefaultRules('fraud-api');
    const rules = service.listAlertRules({ deployment: 'fraud-api' });
    expect(rules.map(({ name, metric, column, comparison, threshold, forSeconds, enabled, isDefault }) => ({ name, metric, column, comparison, threshold, forSeconds, enabled, isDefault }))).toEqual([
      { name: 'Dataset drift', metric: 'dataset_drift', column: null, comparison: '>=', threshold: 1, forSeconds: 0, enabled: true, isDefault: true },
      { name: 'Error rate above 1%', metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds: 300, enabled: true, isDefault: true },
    ]);
    service.updateAlertRule({ id: rules[1]!.id, threshold: 0.05 });
    service.deleteAlertRule({ id: rules[0]!.id });
    service.ensureDefaultRules('fraud-api');
    expect(service.listAlertRules({ deployment: 'fraud-api' }).map((r) => [r.metric, r.threshold, r.isDefault])).toEqual([['error_rate', 0.05, true]]);
    service.forgetDeployment('fraud-api');
    expect(service.listAlertRules({ deployment: 'fraud-api' })).toEqual([]);
    service.ensureDefaultRules('fraud-api');
    expect(service.listAlertRules({ deployment: 'fraud-api' })).toHaveLength(2);
  });

  it('fires the default dataset-drift rule at once on a drifting window, and forgets the deployment whole', () => {
    service.ensureDefaultRules('fraud-api');
    observeAt(0, [
      { metric: 'dataset_drift', column: null, value: 1 },
      { metric: 'error_rate', column: null, value: 0 },
    ]);
    expect(list()).toMatchObject([{ name: 'Dataset drift', state: 'firing', message: 'dataset_drift 1 >= 1 on fraud-api', notifiedAt: T0 }]);
    expect(notified()).toHaveLength(1);
    service.forgetDeployment('fraud-api');
    expect(list()).toEqual([]);
  });

  it('keeps the webhook URL and clears the last error when the URL changes; refuses a URL that is not http(s)', () => {
    expect(service.getAlertSettings()).toEqual({ webhookUrl: null, lastWebhookError: null });
    repository.recordWebhookError('webhook answered HTTP 500');
    expect(service.getAlertSettings()).toEqual({ webhookUrl: null, lastWebhookError: 'webhook answered HTTP 500' });
    expect(service.updateAlertSettings({ webhookUrl: 'http://127.0.0.1:9/hook' })).toEqual({ webhookUrl: 'http://127.0.0.1:9/hook', lastWebhookError: null });
    const bad = thrown(() => service.updateAlertSettings({ webhookUrl: 'file:///etc/passwd' }));
    expect([bad.code, bad.message]).toEqual(['INVALID_INPUT', "webhookUrl: must be an http(s) URL, got 'file:///etc/passwd'"]);
    expect(service.updateAlertSettings({ webhookUrl: null }).webhookUrl).toBeNull();
  });
});
