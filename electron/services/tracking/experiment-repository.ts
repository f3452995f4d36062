import type { Database } from 'better-sqlite3';
import type { LifecycleStage } from '../../../shared/contract/tracking';

export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentStats {
  run_count: number;
  last_activity: number | null;
}

/** SQL for experiments and their tags. */
export class ExperimentRepository {
  constructor(private readonly db: Database) {}

  insert(name: string, now: number): number {
    const id = Number(
      this.db
        .prepare("INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES (?, '', ?, ?)")
        .run(name, now, now).lastInsertRowid,
    );
    this.db.prepare('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?').run(`mlflow-artifacts:/${id}`, id);
    return id;
  }

  get(id: number): ExperimentRow | undefined {
    return this.db.prepare('SELECT * FROM experiments WHERE experiment_id = ?').get(id) as ExperimentRow | undefined;
  }

  getByName(name: string): ExperimentRow | undefined {
    return this.db.prepare('SELECT * FROM experiments WHERE name = ?').get(name) as ExperimentRow | undefined;
  }

  /** Rows matching a compiled WHERE clause, ordered and paged. */
  search(where: string, params: unknown[], orderBy: string, limit: number, offset: number): ExperimentRow[] {
    return this.db
      .prepare(`SELECT * FROM experiments e WHERE ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as ExperimentRow[];
  }

  rename(id: number, name: string, now: number): void {
    this.db.prepare('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?').run(name, now, id);
  }

  setLifecycle(id: number, stage: LifecycleStage, now: number): void {
    this.db.prepare('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?').run(stage, now, id);
  }

  setTag(id: number, key: string, value: string): void {
    this.db
      .prepare('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value')
      .run(id, key, value);
  }

  tags(id: number): Record<string, string> {
    const rows = this.db.prepare('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key').all(id) as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  stats(id: number): ExperimentStats {
    return this.db
      .prepare(
        "SELECT count(*) AS run_count, max(max(coalesce(end_time, 0), coalesce(start_time, 0), last_update_time)) AS last_activity FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'active'",
      )
      .get(id) as ExperimentStats;
  }
}
