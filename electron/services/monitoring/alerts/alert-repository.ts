import type { Database } from 'better-sqlite3';
import type { AlertComparison, AlertMetric, AlertRuleView, AlertSettingsView, AlertSource, AlertState, AlertView, PipelineAlertView } from '../../../../shared/contract/monitoring';
import { StatementCache } from '../../store/statement-cache';

export interface AlertRuleRow extends AlertRuleView {
  createdAt: number;
}

export type NewAlertRule = Omit<AlertRuleRow, 'id' | 'silencedUntil'>;

export type AlertRulePatch = Partial<Pick<AlertRuleView, 'name' | 'comparison' | 'threshold' | 'forSeconds' | 'enabled'>>;

/** An incident as stored: what changes as it moves from pending to firing to resolved. */
export interface IncidentFields {
  name: string;
  metric: AlertMetric;
  comparison: AlertComparison;
  threshold: number;
  state: AlertState;
  value: number | null;
  message: string;
  startedAt: number;
  firingAt: number | null;
  resolvedAt: number | null;
  notifiedAt: number | null;
}

/** A pipeline incident as stored: the failing pipeline and where the incident stands. */
export interface PipelineIncidentFields extends PipelineAlertView {
  /** The alert's title, e.g. "Pipeline failed". */
  title: string;
  state: AlertState;
  message: string;
  startedAt: number;
  firingAt: number | null;
  resolvedAt: number | null;
  notifiedAt: number | null;
}

export interface AlertFilter {
  deployment?: string;
  state?: AlertState;
  limit: number;
}

interface RawRule {
  id: number;
  deployment: string;
  name: string;
  metric: AlertMetric;
  column_name: string | null;
  comparison: AlertComparison;
  threshold: number;
  for_seconds: number;
  enabled: number;
  is_default: number;
  silenced_until: number | null;
  created_at: number;
}

interface RawAlert {
  id: number;
  source: AlertSource;
  rule_id: number | null;
  deployment: string | null;
  name: string;
  metric: AlertMetric | null;
  comparison: AlertComparison | null;
  threshold: number | null;
  state: AlertState;
  value: number | null;
  message: string;
  started_at: number;
  firing_at: number | null;
  resolved_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  notified_at: number | null;
  silenced_until: number | null;
  pipeline_file: string | null;
  pipeline_name: string | null;
  pipeline_run_id: string | null;
  pipeline_stage: string | null;
  pipeline_error: string | null;
  failures: number | null;
}

// The silence lives on the rule; an alert whose rule is gone is not silenced.
const ALERT_SELECT = 'SELECT a.*, r.silenced_until FROM alerts a LEFT JOIN alert_rules r ON r.id = a.rule_id';

/** alert_rules, alerts, alert_rule_defaults and alert_settings: every SQL statement alerting writes. */
export class AlertRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database) {
    this.sql = new StatementCache(db);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  listRules(deployment: string): AlertRuleRow[] {
    return (this.sql.get('SELECT * FROM alert_rules WHERE deployment = ? ORDER BY id').all(deployment) as RawRule[]).map(ruleOf);
  }

  getRule(id: number): AlertRuleRow | null {
    const row = this.sql.get('SELECT * FROM alert_rules WHERE id = ?').get(id) as RawRule | undefined;
    return row ? ruleOf(row) : null;
  }

  insertRule(rule: NewAlertRule): AlertRuleRow {
    const { lastInsertRowid } = this.sql
      .get(
        `INSERT INTO alert_rules (deployment, name, metric, column_name, comparison, threshold, for_seconds, enabled, is_default, created_at)
         VALUES (@deployment, @name, @metric, @column, @comparison, @threshold, @forSeconds, @enabled, @isDefault, @createdAt)`,
      )
      .run({ ...rule, enabled: rule.enabled ? 1 : 0, isDefault: rule.isDefault ? 1 : 0 });
    return this.getRule(Number(lastInsertRowid))!;
  }

  updateRule(id: number, patch: AlertRulePatch): void {
    this.sql
      .get(
        `UPDATE alert_rules SET name = coalesce(@name, name), comparison = coalesce(@comparison, comparison), threshold = coalesce(@threshold, threshold),
           for_seconds = coalesce(@forSeconds, for_seconds), enabled = coalesce(@enabled, enabled) WHERE id = @id`,
      )
      .run({
        id,
        name: patch.name ?? null,
        comparison: patch.comparison ?? null,
        threshold: patch.threshold ?? null,
        forSeconds: patch.forSeconds ?? null,
        enabled: patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
      });
  }

  setRuleSilence(id: number, until: number | null): void {
    this.sql.get('UPDATE alert_rules SET silenced_until = ? WHERE id = ?').run(until, id);
  }

  deleteRule(id: number): boolean {
    return this.sql.get('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
  }

  /** Records that `deployment` got its default rules; false when it had already. */
  claimDefaults(deployment: string, at: number): boolean {
    return this.sql.get('INSERT INTO alert_rule_defaults (deployment, created_at) VALUES (?, ?) ON CONFLICT (deployment) DO NOTHING').run(deployment, at).changes > 0;
  }

  /** The rule's incident that has not resolved (at most one). */
  openIncident(ruleId: number): AlertView | null {
    const row = this.sql.get(`${ALERT_SELECT} WHERE a.rule_id = ? AND a.state IN ('pending', 'firing') ORDER BY a.id DESC LIMIT 1`).get(ruleId) as RawAlert | undefined;
    return row ? alertOf(row) : null;
  }

  getAlert(id: number): AlertView | null {
    const row = this.sql.get(`${ALERT_SELECT} WHERE a.id = ?`).get(id) as RawAlert | undefined;
    return row ? alertOf(row) : null;
  }

  listAlerts(filter: AlertFilter): AlertView[] {
    const rows = this.sql
      .get(`${ALERT_SELECT} WHERE (@deployment IS NULL OR a.deployment = @deployment) AND (@state IS NULL OR a.state = @state) ORDER BY a.id DESC LIMIT @limit`)
      .all({ deployment: filter.deployment ?? null, state: filter.state ?? null, limit: filter.limit }) as RawAlert[];
    return rows.map(alertOf);
  }

  /** Firing rule incidents whose notification has not gone out (a silence held it back). */
  unnotifiedFiring(): AlertView[] {
    return (this.sql.get(`${ALERT_SELECT} WHERE a.source = 'rule' AND a.state = 'firing' AND a.notified_at IS NULL ORDER BY a.id`).all() as RawAlert[]).map(alertOf);
  }

  /** The pipeline's incident that has not resolved (at most one). */
  openPipelineIncident(file: string): AlertView | null {
    const row = this.sql.get(`${ALERT_SELECT} WHERE a.source = 'pipeline' AND a.pipeline_file = ? AND a.state != 'resolved'`).get(file) as RawAlert | undefined;
    return row ? alertOf(row) : null;
  }

  insertPipelineIncident(fields: PipelineIncidentFields): number {
    const { lastInsertRowid } = this.sql
      .get(
        `INSERT INTO alerts (source, name, state, message, started_at, firing_at, resolved_at, notified_at,
           pipeline_file, pipeline_name, pipeline_run_id, pipeline_stage, pipeline_error, failures)
         VALUES ('pipeline', @title, @state, @message, @startedAt, @firingAt, @resolvedAt, @notifiedAt, @file, @name, @runId, @stage, @error, @failures)`,
      )
      .run(fields);
    return Number(lastInsertRowid);
  }

  updatePipelineIncident(id: number, fields: PipelineIncidentFields): void {
    this.sql
      .get(
        `UPDATE alerts SET name = @title, state = @state, message = @message, started_at = @startedAt, firing_at = @firingAt, resolved_at = @resolvedAt,
           notified_at = @notifiedAt, pipeline_name = @name, pipeline_run_id = @runId, pipeline_stage = @stage, pipeline_error = @error, failures = @failures
         WHERE id = @id AND source = 'pipeline'`,
      )
      .run({ id, ...fields });
  }

  insertIncident(ruleId: number, deployment: string, fields: IncidentFields): number {
    const { lastInsertRowid } = this.sql
      .get(
        `INSERT INTO alerts (rule_id, deployment, name, metric, comparison, threshold, state, value, message, started_at, firing_at, resolved_at, notified_at)
         VALUES (@ruleId, @deployment, @name, @metric, @comparison, @threshold, @state, @value, @message, @startedAt, @firingAt, @resolvedAt, @notifiedAt)`,
      )
      .run({ ruleId, deployment, ...fields });
    return Number(lastInsertRowid);
  }

  updateIncident(id: number, fields: IncidentFields): void {
    this.sql
      .get(
        `UPDATE alerts SET name = @name, metric = @metric, comparison = @comparison, threshold = @threshold, state = @state, value = @value, message = @message,
           started_at = @startedAt, firing_at = @firingAt, resolved_at = @resolvedAt, notified_at = @notifiedAt WHERE id = @id`,
      )
      .run({ id, ...fields });
  }

  deleteIncident(id: number): void {
    this.sql.get('DELETE FROM alerts WHERE id = ?').run(id);
  }

  acknowledge(id: number, at: number, actor: string): void {
    this.sql.get('UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?').run(at, actor, id);
  }

  getSettings(): AlertSettingsView {
    const row = this.sql.get('SELECT webhook_url, last_error FROM alert_settings WHERE id = 1').get() as { webhook_url: string | null; last_error: string | null } | undefined;
    return { webhookUrl: row?.webhook_url ?? null, lastWebhookError: row?.last_error ?? null };
  }

  /** A new URL starts with no error: the last one was about the old URL. */
  setWebhookUrl(url: string | null): void {
    this.sql.get('INSERT INTO alert_settings (id, webhook_url, last_error) VALUES (1, ?, NULL) ON CONFLICT (id) DO UPDATE SET webhook_url = excluded.webhook_url, last_error = NULL').run(url);
  }

  recordWebhookError(error: string | null): void {
    this.sql.get('INSERT INTO alert_settings (id, webhook_url, last_error) VALUES (1, NULL, ?) ON CONFLICT (id) DO UPDATE SET last_error = excluded.last_error').run(error);
  }

  /** Everything alerting holds about a deployment: rules, incidents and the record of its default rules. */
  deleteDeployment(deployment: string): void {
    this.transaction(() => {
      this.sql.get('DELETE FROM alerts WHERE deployment = ?').run(deployment);
      this.sql.get('DELETE FROM alert_rules WHERE deployment = ?').run(deployment);
      this.sql.get('DELETE FROM alert_rule_defaults WHERE deployment = ?').run(deployment);
    });
  }
}

function ruleOf(row: RawRule): AlertRuleRow {
  return {
    id: row.id,
    deployment: row.deployment,
    name: row.name,
    metric: row.metric,
    column: row.column_name,
    comparison: row.comparison,
    threshold: row.threshold,
    forSeconds: row.for_seconds,
    enabled: row.enabled === 1,
    isDefault: row.is_default === 1,
    silencedUntil: row.silenced_until,
    createdAt: row.created_at,
  };
}

function alertOf(row: RawAlert): AlertView {
  return {
    id: row.id,
    ruleId: row.rule_id,
    deployment: row.deployment,
    name: row.name,
    metric: row.metric,
    state: row.state,
    value: row.value,
    threshold: row.threshold,
    comparison: row.comparison,
    message: row.message,
    startedAt: row.started_at,
    firingAt: row.firing_at,
    resolvedAt: row.resolved_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    silencedUntil: row.silenced_until,
    notifiedAt: row.notified_at,
    source: row.source,
    pipeline: row.source === 'pipeline' ? pipelineOf(row) : null,
  };
}

function pipelineOf(row: RawAlert): PipelineAlertView {
  return {
    file: row.pipeline_file!,
    name: row.pipeline_name!,
    runId: row.pipeline_run_id,
    stage: row.pipeline_stage,
    error: row.pipeline_error!,
    failures: row.failures!,
  };
}
