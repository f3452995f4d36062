import type { Database } from 'better-sqlite3';
import type { PipelineRunOptions, PipelineRunStatus, PipelineRunView, StageRunStatus, StageRunView, TriggerKind, TriggerReasonView, TriggerView } from '../../../shared/contract/pipelines';
import { StatementCache } from '../store/statement-cache';
import type { PipelineDefinition } from './pipeline-definition';

/** What a stage produced, kept so a later cache hit hands the same run, version or deployment on. */
export interface StageResult {
  key: string;
  runId: string | null;
  model: { name: string; version: number } | null;
  deployment: string | null;
  /**
   * What the result also rested on outside the key, compared on a cache hit (an evaluate stage: the
   * version it had to beat). Kept out of the key so the stages after it are not redone for it.
   */
  judged?: string | null;
}

export interface StoredRun {
  view: PipelineRunView;
  /** The definition as it was when the run started: a resumed run finishes what it began. */
  definition: PipelineDefinition;
}

export interface StoredTrigger {
  triggerId: string;
  file: string;
  kind: Exclude<TriggerKind, 'manual'>;
  target: string;
  source: TriggerView['source'];
  state: Record<string, unknown>;
}

interface RunRow {
  run_id: string;
  file: string;
  name: string;
  status: PipelineRunStatus;
  reason_kind: TriggerKind;
  reason_detail: string;
  options: string;
  definition: string;
  created_at: number;
  ended_at: number | null;
  error: string | null;
}

interface StageRow {
  stage: string;
  kind: string;
  needs: string;
  status: StageRunStatus;
  cached: number;
  stage_key: string | null;
  started_at: number | null;
  ended_at: number | null;
  job_id: string | null;
  mlflow_run_id: string | null;
  model_name: string | null;
  model_version: number | null;
  deployment: string | null;
  message: string | null;
  log: string;
}

/** Changes a stage's row; only the fields given are written. */
export type StagePatch = Partial<Omit<StageRunView, 'name' | 'kind' | 'needs' | 'durationMs' | 'log'>>;

/** Pipeline runs, their stages, the last good result of each stage, and triggers. */
export class PipelineRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database) {
    this.sql = new StatementCache(db);
  }

  createRun(input: { runId: string; definition: PipelineDefinition; reason: TriggerReasonView; options: PipelineRunOptions; now: number }): void {
    const { runId, definition, reason, options, now } = input;
    this.db.transaction(() => {
      this.sql
        .get(
          `INSERT INTO pipeline_runs (run_id, file, name, status, reason_kind, reason_detail, options, definition, created_at)
           VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
        )
        .run(runId, definition.file, definition.name, reason.kind, reason.detail, JSON.stringify(options), JSON.stringify(definition), now);
      definition.stages.forEach((stage, position) => {
        this.sql
          .get('INSERT INTO pipeline_stage_runs (run_id, stage, position, kind, needs, status) VALUES (?, ?, ?, ?, ?, \'pending\')')
          .run(runId, stage.name, position, stage.kind, JSON.stringify(stage.needs));
      });
    })();
  }

  getRun(runId: string): StoredRun | null {
    const row = this.sql.get('SELECT * FROM pipeline_runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row ? this.toStored(row) : null;
  }

  listRuns(file: string | undefined, limit: number): PipelineRunView[] {
    const rows = (
      file === undefined
        ? this.sql.get('SELECT * FROM pipeline_runs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit)
        : this.sql.get('SELECT * FROM pipeline_runs WHERE file = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(file, limit)
    ) as RunRow[];
    return rows.map((row) => this.toStored(row).view);
  }

  /** Runs left 'running' (the app stopped under them): resumed at start. */
  runningRuns(): StoredRun[] {
    const rows = this.sql.get('SELECT * FROM pipeline_runs WHERE status = \'running\' ORDER BY created_at').all() as RunRow[];
    return rows.map((row) => this.toStored(row));
  }

  /** Every file that has runs or triggers. */
  knownFiles(): string[] {
    const rows = this.sql.get('SELECT file FROM pipeline_runs UNION SELECT file FROM pipeline_triggers ORDER BY file').all() as Array<{ file: string }>;
    return rows.map((row) => row.file);
  }

  endRun(runId: string, status: Exclude<PipelineRunStatus, 'running'>, error: string | null, now: number): void {
    this.sql.get('UPDATE pipeline_runs SET status = ?, error = ?, ended_at = ? WHERE run_id = ? AND status = \'running\'').run(status, error, now, runId);
  }

  updateStage(runId: string, stage: string, patch: StagePatch): void {
    const columns: Record<string, unknown> = {};
    if (patch.status !== undefined) columns.status = patch.status;
    if (patch.cached !== undefined) columns.cached = patch.cached ? 1 : 0;
    if (patch.key !== undefined) columns.stage_key = patch.key;
    if (patch.startedAt !== undefined) columns.started_at = patch.startedAt;
    if (patch.endedAt !== undefined) columns.ended_at = patch.endedAt;
    if (patch.jobId !== undefined) columns.job_id = patch.jobId;
    if (patch.runId !== undefined) columns.mlflow_run_id = patch.runId;
    if (patch.model !== undefined) {
      columns.model_name = patch.model?.name ?? null;
      columns.model_version = patch.model?.version ?? null;
    }
    if (patch.deployment !== undefined) columns.deployment = patch.deployment;
    if (patch.message !== undefined) columns.message = patch.message;
    const names = Object.keys(columns);
    if (names.length === 0) return;
    const assignments = names.map((name) => `${name} = @${name}`).join(', ');
    this.db.prepare(`UPDATE pipeline_stage_runs SET ${assignments} WHERE run_id = @runId AND stage = @stage`).run({ ...columns, runId, stage });
  }

  appendStageLog(runId: string, stage: string, line: string): void {
    this.sql.get('UPDATE pipeline_stage_runs SET log = json_insert(log, \'$[#]\', ?) WHERE run_id = ? AND stage = ?').run(line, runId, stage);
  }

  recordResult(file: string, stage: string, result: StageResult, now: number): void {
    this.sql
      .get(
        `INSERT INTO pipeline_stage_results (file, stage, stage_key, mlflow_run_id, model_name, model_version, deployment, judged, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (file, stage) DO UPDATE SET stage_key = excluded.stage_key, mlflow_run_id = excluded.mlflow_run_id,
           model_name = excluded.model_name, model_version = excluded.model_version, deployment = excluded.deployment, judged = excluded.judged,
           recorded_at = excluded.recorded_at`,
      )
      .run(file, stage, result.key, result.runId, result.model?.name ?? null, result.model?.version ?? null, result.deployment, result.judged ?? null, now);
  }

  /** A stage that runs again has no good result until it succeeds: a failure must not leave the old one to hit. */
  forgetResult(file: string, stage: string): void {
    this.sql.get('DELETE FROM pipeline_stage_results WHERE file = ? AND stage = ?').run(file, stage);
  }

  lastResult(file: string, stage: string): StageResult | null {
    const row = this.sql.get('SELECT * FROM pipeline_stage_results WHERE file = ? AND stage = ?').get(file, stage) as
      | { stage_key: string; mlflow_run_id: string | null; model_name: string | null; model_version: number | null; deployment: string | null; judged: string | null }
      | undefined;
    if (!row) return null;
    return {
      key: row.stage_key,
      runId: row.mlflow_run_id,
      model: row.model_name !== null && row.model_version !== null ? { name: row.model_name, version: row.model_version } : null,
      deployment: row.deployment,
      judged: row.judged,
    };
  }

  /** Replaces the triggers of one source for a file (the file's own, when it is read again). */
  replaceTriggers(file: string, source: TriggerView['source'], triggers: Array<Omit<StoredTrigger, 'state' | 'source' | 'file'>>, now: number): void {
    this.db.transaction(() => {
      const keep = new Set(triggers.map((t) => t.triggerId));
      for (const old of this.triggers(file).filter((t) => t.source === source && !keep.has(t.triggerId))) this.removeTrigger(old.triggerId);
      for (const trigger of triggers) this.addTrigger({ ...trigger, file, source, state: {} }, now);
    })();
  }

  /** Adds a trigger; one with the same file, kind and target is kept as it is (its id returned). */
  addTrigger(trigger: StoredTrigger, now: number): string {
    this.sql
      .get(
        `INSERT INTO pipeline_triggers (trigger_id, file, kind, target, source, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (file, kind, target) DO NOTHING`,
      )
      .run(trigger.triggerId, trigger.file, trigger.kind, trigger.target, trigger.source, JSON.stringify(trigger.state), now);
    const row = this.sql.get('SELECT trigger_id FROM pipeline_triggers WHERE file = ? AND kind = ? AND target = ?').get(trigger.file, trigger.kind, trigger.target) as { trigger_id: string };
    return row.trigger_id;
  }

  removeTrigger(triggerId: string): boolean {
    return this.sql.get('DELETE FROM pipeline_triggers WHERE trigger_id = ?').run(triggerId).changes > 0;
  }

  getTrigger(triggerId: string): StoredTrigger | null {
    const row = this.sql.get('SELECT * FROM pipeline_triggers WHERE trigger_id = ?').get(triggerId) as TriggerRow | undefined;
    return row ? toTrigger(row) : null;
  }

  triggers(file?: string): StoredTrigger[] {
    const rows = (
      file === undefined ? this.sql.get('SELECT * FROM pipeline_triggers ORDER BY file, created_at, rowid').all() : this.sql.get('SELECT * FROM pipeline_triggers WHERE file = ? ORDER BY created_at, rowid').all(file)
    ) as TriggerRow[];
    return rows.map(toTrigger);
  }

  setTriggerState(triggerId: string, state: Record<string, unknown>): void {
    this.sql.get('UPDATE pipeline_triggers SET state = ? WHERE trigger_id = ?').run(JSON.stringify(state), triggerId);
  }

  private toStored(row: RunRow): StoredRun {
    const stages = this.sql.get('SELECT * FROM pipeline_stage_runs WHERE run_id = ? ORDER BY position').all(row.run_id) as StageRow[];
    const view: PipelineRunView = {
      runId: row.run_id,
      file: row.file,
      name: row.name,
      status: row.status,
      reason: { kind: row.reason_kind, detail: row.reason_detail },
      options: JSON.parse(row.options) as PipelineRunOptions,
      createdAt: row.created_at,
      endedAt: row.ended_at,
      error: row.error,
      stages: stages.map(toStageView),
    };
    return { view, definition: JSON.parse(row.definition) as PipelineDefinition };
  }
}

interface TriggerRow {
  trigger_id: string;
  file: string;
  kind: StoredTrigger['kind'];
  target: string;
  source: StoredTrigger['source'];
  state: string;
}

function toTrigger(row: TriggerRow): StoredTrigger {
  return { triggerId: row.trigger_id, file: row.file, kind: row.kind, target: row.target, source: row.source, state: JSON.parse(row.state) as Record<string, unknown> };
}

function toStageView(row: StageRow): StageRunView {
  return {
    name: row.stage,
    kind: row.kind,
    needs: JSON.parse(row.needs) as string[],
    status: row.status,
    cached: row.cached === 1,
    key: row.stage_key,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: row.started_at !== null && row.ended_at !== null ? row.ended_at - row.started_at : null,
    jobId: row.job_id,
    runId: row.mlflow_run_id,
    model: row.model_name !== null && row.model_version !== null ? { name: row.model_name, version: row.model_version } : null,
    deployment: row.deployment,
    message: row.message,
    log: JSON.parse(row.log) as string[],
  };
}
