import type { ParsedInput } from '../../../../shared/contract/index';
import type { AlertMetric, AlertRuleView, AlertSettingsView, AlertView } from '../../../../shared/contract/monitoring';
import { invalid, notFound } from '../../../../shared/errors';
import type { EventBus } from '../../events/event-bus';
import { deferredNotification, evaluateAlert, type AlertCondition, type AlertStep, type OpenIncident } from './alert-evaluator';
import { alertMessage } from './alert-message';
import type { AlertRepository, AlertRuleRow, IncidentFields } from './alert-repository';
import { DEFAULT_ALERT_RULES } from './default-alert-rules';
import { failedIncident, recoveredIncident, type PipelineFailure } from './pipeline-failure-alert';
import type { AlertNotifier, WebhookEvent } from './webhook-notifier';

/** Metrics measured per column: their rules name the column, the others must not. */
const COLUMN_METRICS: ReadonlySet<AlertMetric> = new Set(['column_drift', 'missing_share']);

export interface AlertObservation {
  metric: AlertMetric;
  /** The column for column_drift and missing_share; null otherwise. */
  column: string | null;
  /** Null: no data for this metric this time (nothing opens, fires or clears). */
  value: number | null;
  /** What the number stands for, added to the alert's message (e.g. which columns drifted in which window). */
  detail?: string;
}

export interface AlertsServiceOptions {
  repository: AlertRepository;
  bus: EventBus;
  clock: () => number;
  notifier: AlertNotifier;
  deploymentExists: (name: string) => boolean;
}

/** What one change leaves to do once its transaction has committed. */
interface Outcome {
  event: AlertView & { notify: boolean };
  webhook: WebhookEvent | null;
}

/**
 * Alert rules and the incidents they raise. The monitoring service feeds `observe` with each
 * window's numbers (and the serving figures); every change is published as 'monitoring.alert',
 * whose `notify` is true once per incident, and the notifier (a webhook) gets the same moment.
 * Failing pipelines raise incidents too (`raisePipelineFailure`), with no rule behind them.
 */
export class AlertsService {
  private readonly repository: AlertRepository;
  private readonly bus: EventBus;
  private readonly clock: () => number;
  private readonly notifier: AlertNotifier;
  private readonly deploymentExists: (name: string) => boolean;

  constructor({ repository, bus, clock, notifier, deploymentExists }: AlertsServiceOptions) {
    this.repository = repository;
    this.bus = bus;
    this.clock = clock;
    this.notifier = notifier;
    this.deploymentExists = deploymentExists;
  }

  listAlerts(input: ParsedInput<'monitoring.listAlerts'>): AlertView[] {
    return this.repository.listAlerts({ deployment: input.deployment, state: input.state, limit: input.limit });
  }

  /** The first acknowledgement stands: who saw it first and when. */
  acknowledgeAlert({ id, actor }: { id: number; actor: string }): AlertView {
    const alert = this.alertOrThrow(id);
    if (alert.acknowledgedAt !== null) return alert;
    this.repository.acknowledge(id, this.clock(), actor);
    const view = this.repository.getAlert(id)!;
    this.bus.publish('monitoring.alert', { ...view, notify: false });
    return view;
  }

  /** Silences the alert's rule: no notification before `until`; a time already past lifts the silence. */
  silenceAlert({ id, until }: { id: number; until: number; actor?: string }): AlertView {
    const alert = this.alertOrThrow(id);
    if (alert.ruleId === null) throw invalid(`id: alert ${id} is a pipeline failure, which has no rule to silence; it is told once per failing streak`);
    const rule = this.repository.getRule(alert.ruleId);
    if (!rule) throw notFound(`id: the rule of alert ${id} was deleted, so there is nothing to silence`);
    const now = this.clock();
    const outcomes = this.repository.transaction(() => {
      this.repository.setRuleSilence(rule.id, until);
      const silenced = { ...rule, silencedUntil: until };
      const open = this.repository.openIncident(rule.id);
      // Lifting a silence delivers a held-back notification now rather than at the next tick.
      return open ? this.apply(silenced, open, deferredNotification(conditionOf(silenced), incidentOf(open), now), now) : [];
    });
    const view = this.repository.getAlert(id)!;
    if (!outcomes.some((o) => o.event.id === id)) outcomes.unshift({ event: { ...view, notify: false }, webhook: null });
    const open = this.repository.openIncident(rule.id);
    if (open && !outcomes.some((o) => o.event.id === open.id)) outcomes.push({ event: { ...open, notify: false }, webhook: null });
    this.deliver(outcomes);
    return view;
  }

  listAlertRules({ deployment }: { deployment: string }): AlertRuleView[] {
    return this.repository.listRules(deployment).map(ruleView);
  }

  createAlertRule(input: Omit<ParsedInput<'monitoring.createAlertRule'>, 'actor'> & { actor?: string }): AlertRuleView {
    if (!this.deploymentExists(input.deployment)) throw notFound(`deployment: no deployment named '${input.deployment}'`);
    checkColumn(input.metric, input.column);
    checkNumbers(input);
    const row = this.repository.insertRule({
      deployment: input.deployment,
      name: input.name,
      metric: input.metric,
      column: input.column,
      comparison: input.comparison,
      threshold: input.threshold,
      forSeconds: input.forSeconds,
      enabled: input.enabled,
      isDefault: false,
      createdAt: this.clock(),
    });
    return ruleView(row);
  }

  /** A rule switched off resolves its open incident; other changes apply from the next observation. */
  updateAlertRule(input: Omit<ParsedInput<'monitoring.updateAlertRule'>, 'actor'> & { actor?: string }): AlertRuleView {
    const rule = this.ruleOrThrow(input.id);
    checkNumbers(input);
    const patch = { name: input.name, comparison: input.comparison, threshold: input.threshold, forSeconds: input.forSeconds, enabled: input.enabled };
    const outcomes = this.repository.transaction(() => {
      this.repository.updateRule(rule.id, patch);
      return input.enabled === false ? this.closeIncident(rule) : [];
    });
    this.deliver(outcomes);
    return ruleView(this.repository.getRule(rule.id)!);
  }

  /** The rule goes; its open incident resolves (a pending one is dropped); past incidents stay in the inbox. */
  deleteAlertRule({ id }: { id: number; actor?: string }): { deleted: true } {
    const rule = this.ruleOrThrow(id);
    const outcomes = this.repository.transaction(() => {
      const closed = this.closeIncident(rule);
      this.repository.deleteRule(id);
      return closed;
    });
    this.deliver(outcomes.map((o) => ({ ...o, event: { ...o.event, silencedUntil: null } })));
    return { deleted: true };
  }

  getAlertSettings(): AlertSettingsView {
    return this.repository.getSettings();
  }

  updateAlertSettings({ webhookUrl }: { webhookUrl: string | null; actor?: string }): AlertSettingsView {
    if (webhookUrl !== null && !isHttpUrl(webhookUrl)) throw invalid(`webhookUrl: must be an http(s) URL, got '${webhookUrl}'`);
    this.repository.setWebhookUrl(webhookUrl);
    return this.repository.getSettings();
  }

  /** The default rules, once per deployment: a reference set again, or a default rule deleted, does not bring them back. */
  ensureDefaultRules(deployment: string): void {
    const now = this.clock();
    this.repository.transaction(() => {
      if (!this.repository.claimDefaults(deployment, now)) return;
      for (const rule of DEFAULT_ALERT_RULES) this.repository.insertRule({ deployment, ...rule, enabled: true, isDefault: true, createdAt: now });
    });
  }

  /**
   * Applies every enabled rule of `deployment` whose metric (and column, for per-column metrics)
   * has a value here; a rule with none is untouched. Notifications go out after the writes commit.
   */
  observe(deployment: string, at: number, values: AlertObservation[]): void {
    const outcomes = this.repository.transaction(() =>
      this.repository.listRules(deployment).flatMap((rule) => {
        if (!rule.enabled) return [];
        const match = [...values].reverse().find((v) => v.metric === rule.metric && (!COLUMN_METRICS.has(rule.metric) || v.column === rule.column));
        if (!match) return [];
        const open = this.repository.openIncident(rule.id);
        return this.apply(rule, open, evaluateAlert(conditionOf(rule), open && incidentOf(open), { at, value: match.value }), at, match.detail);
      }),
    );
    this.deliver(outcomes);
  }

  /**
   * A pipeline run failed, or a run a trigger asked for could not start: the first failure of a
   * streak opens the pipeline's incident, firing and notified (app and webhook); a later one while
   * it is open updates it (newest run, count) without telling again.
   */
  raisePipelineFailure(failure: PipelineFailure): AlertView {
    const at = this.clock();
    const outcome = this.repository.transaction((): Outcome => {
      const open = this.repository.openPipelineIncident(failure.file);
      const fields = failedIncident(open, failure, at);
      let id: number;
      if (open) {
        id = open.id;
        this.repository.updatePipelineIncident(id, fields);
      } else {
        id = this.repository.insertPipelineIncident(fields);
      }
      return { event: { ...this.repository.getAlert(id)!, notify: open === null }, webhook: open === null ? 'firing' : null };
    });
    this.deliver([outcome]);
    const { notify: _notify, ...view } = outcome.event;
    return view;
  }

  /** A run of the pipeline succeeded: its open incident, if any, resolves (the webhook hears of it). */
  resolvePipelineFailure({ file }: { file: string }): AlertView | null {
    const at = this.clock();
    const outcome = this.repository.transaction((): Outcome | null => {
      const open = this.repository.openPipelineIncident(file);
      if (!open) return null;
      this.repository.updatePipelineIncident(open.id, recoveredIncident(open, at));
      return { event: { ...this.repository.getAlert(open.id)!, notify: false }, webhook: open.notifiedAt !== null ? 'resolved' : null };
    });
    if (!outcome) return null;
    this.deliver([outcome]);
    const { notify: _notify, ...view } = outcome.event;
    return view;
  }

  /** Sends the notifications a silence held back, for incidents still firing once it is over. */
  tick(at: number): void {
    const outcomes = this.repository.transaction(() =>
      this.repository.unnotifiedFiring().flatMap((alert) => {
        const rule = alert.ruleId === null ? null : this.repository.getRule(alert.ruleId);
        if (!rule?.enabled) return [];
        return this.apply(rule, alert, deferredNotification(conditionOf(rule), incidentOf(alert), at), at);
      }),
    );
    this.deliver(outcomes);
  }

  forgetDeployment(deployment: string): void {
    this.repository.deleteDeployment(deployment);
  }

  /** Writes one step of a rule's incident; returns what to publish once committed. */
  private apply(rule: AlertRuleRow, open: AlertView | null, step: AlertStep, at: number, detail?: string): Outcome[] {
    if (step.change === null) return [];
    if (step.change === 'dropped') {
      // A pending incident that never fired is deleted, not kept: the inbox holds what fired.
      this.repository.deleteIncident(open!.id);
      return [{ event: { ...open!, state: 'resolved', resolvedAt: at, notify: false }, webhook: null }];
    }
    const next = step.incident!;
    const changed = step.change === 'opened' || step.change === 'firing';
    const fields: IncidentFields = {
      // Opening and firing take the rule as it is now; later steps keep what the incident said.
      name: changed ? rule.name : open!.name,
      metric: rule.metric,
      comparison: changed ? rule.comparison : (open!.comparison ?? rule.comparison),
      threshold: changed ? rule.threshold : (open!.threshold ?? rule.threshold),
      state: next.state,
      value: next.value,
      message: changed ? alertMessage(rule, next.state, next.value) + (detail ? `: ${detail}` : '') : open!.message,
      startedAt: next.startedAt,
      firingAt: next.firingAt,
      resolvedAt: next.resolvedAt,
      notifiedAt: next.notifiedAt,
    };
    let id: number;
    if (open) {
      id = open.id;
      this.repository.updateIncident(id, fields);
    } else {
      id = this.repository.insertIncident(rule.id, rule.deployment, fields);
    }
    const view = this.repository.getAlert(id)!;
    // Alertmanager sends 'resolved' only for what it told about; so does this.
    // A silenced rule sends nothing, a resolution included.
    const silenced = rule.silencedUntil !== null && rule.silencedUntil > at;
    const webhook = step.notify ? 'firing' : step.change === 'resolved' && next.notifiedAt !== null && !silenced ? 'resolved' : null;
    return [{ event: { ...view, notify: step.notify }, webhook }];
  }

  /** Ends a rule's open incident without an observation: the rule is switched off or deleted. */
  private closeIncident(rule: AlertRuleRow): Outcome[] {
    const open = this.repository.openIncident(rule.id);
    if (!open) return [];
    const now = this.clock();
    const step: AlertStep =
      open.state === 'pending'
        ? { change: 'dropped', incident: null, notify: false }
        : { change: 'resolved', incident: { ...incidentOf(open), state: 'resolved', resolvedAt: now }, notify: false };
    return this.apply(rule, open, step, now);
  }

  private deliver(outcomes: Outcome[]): void {
    for (const { event, webhook } of outcomes) {
      this.bus.publish('monitoring.alert', event);
      if (webhook) {
        const { notify: _notify, ...view } = event;
        this.notifier.send(view, webhook);
      }
    }
  }

  private alertOrThrow(id: number): AlertView {
    const alert = this.repository.getAlert(id);
    if (!alert) throw notFound(`id: no alert ${id}`);
    return alert;
  }

  private ruleOrThrow(id: number): AlertRuleRow {
    const rule = this.repository.getRule(id);
    if (!rule) throw notFound(`id: no alert rule ${id}`);
    return rule;
  }
}

function conditionOf(rule: AlertRuleRow): AlertCondition {
  return { comparison: rule.comparison, threshold: rule.threshold, forSeconds: rule.forSeconds, silencedUntil: rule.silencedUntil };
}

function incidentOf(alert: AlertView): OpenIncident {
  if (alert.state === 'resolved') throw new Error(`alert ${alert.id} is resolved, not open`);
  return { state: alert.state, startedAt: alert.startedAt, firingAt: alert.firingAt, notifiedAt: alert.notifiedAt, value: alert.value };
}

function ruleView({ createdAt: _createdAt, ...view }: AlertRuleRow): AlertRuleView {
  return view;
}

function checkColumn(metric: AlertMetric, column: string | null): void {
  if (COLUMN_METRICS.has(metric) && column === null) throw invalid(`column: metric ${metric} is measured per column, so the rule needs a column`);
  if (!COLUMN_METRICS.has(metric) && column !== null) throw invalid(`column: metric ${metric} takes no column (only column_drift and missing_share do), got '${column}'`);
}

function checkNumbers(input: { threshold?: number; forSeconds?: number }): void {
  if (input.threshold !== undefined && !Number.isFinite(input.threshold)) throw invalid(`threshold: must be a finite number, got ${input.threshold}`);
  if (input.forSeconds !== undefined && !(Number.isInteger(input.forSeconds) && input.forSeconds >= 0)) throw invalid(`forSeconds: must be a whole number of seconds, 0 or more, got ${input.forSeconds}`);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
