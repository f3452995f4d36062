import type { Database, Statement } from 'better-sqlite3';
import { StatementCache } from '../store/statement-cache';
import type { Job, JobStage, JobStatus } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';

interface JobRow {
  job_id: string;
  name: string;
  spec: string;
  status: JobStatus;
  priority: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  experiment_id: number;
  run_id: string;
  attempt: number;
  runner: 'docker' | 'process' | null;
  handle: string | null;
  gpu_indices: string;
  exit_code: number | null;
  reason: string | null;
  root_job_id: string;
  sweep_run_id: string | null;
  max_parallel: number | null;
  stage: JobStage | null;
}

export type StoredJob = Omit<Job, 'queuePosition' | 'stage'> & {
  stage: JobStage | null;
  handle: string | null;
  rootJobId: string;
  sweepRunId: string | null;
  maxParallel: number | null;
};

/** SQL for the jobs table: the queue, and what each running job is attached to. */
export class JobRepository {
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  private sql(text: string): Statement {
    return this.statements.get(text);
  }

  insert(job: {
    jobId: string;
    spec: JobSpec;
    experimentId: number;
    runId: string;
    attempt: number;
    now: number;
    rootJobId: string;
    sweepRunId: string | null;
    maxParallel: number | null;
    /** 'hashing-inputs' when its datasets must be hashed before it may wait for resources. */
    stage?: JobStage | null;
    reason?: string | null;
  }): void {
    this.sql(
      `INSERT INTO jobs (job_id, name, spec, status, priority, created_at, experiment_id, run_id, attempt, root_job_id, sweep_run_id, max_parallel, stage, reason)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.jobId,
      job.spec.name,
      JSON.stringify(job.spec),
      job.spec.priority,
      job.now,
      job.experimentId,
      job.runId,
      job.attempt,
      job.rootJobId,
      job.sweepRunId,
      job.maxParallel,
      job.stage ?? null,
      job.reason ?? null,
    );
  }

  /** Trials of a sweep, in every state. */
  sweepJobs(sweepRunId: string): StoredJob[] {
    return (this.sql('SELECT * FROM jobs WHERE sweep_run_id = ? ORDER BY created_at, rowid').all(sweepRunId) as JobRow[]).map(toJob);
  }

  get(jobId: string): StoredJob | undefined {
    const row = this.sql('SELECT * FROM jobs WHERE job_id = ?').get(jobId) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  /** The job whose run this is (each attempt is a job with a run of its own). */
  byRunId(runId: string): StoredJob | undefined {
    const row = this.sql('SELECT * FROM jobs WHERE run_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(runId) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  list(statuses?: readonly JobStatus[]): StoredJob[] {
    const rows = (
      statuses?.length
        ? this.db.prepare(`SELECT * FROM jobs WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY created_at DESC, rowid DESC`).all(...statuses)
        : this.sql('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC').all()
    ) as JobRow[];
    return rows.map(toJob);
  }

  /** Queued jobs in the order they may start: priority first, then age. Jobs still hashing their inputs are not in line yet. */
  queue(): StoredJob[] {
    return (this.sql("SELECT * FROM jobs WHERE status = 'queued' AND stage IS NULL ORDER BY priority DESC, created_at, rowid").all() as JobRow[]).map(toJob);
  }

  /** Queued jobs in a stage before the line (hashing their inputs), oldest first. */
  staged(stage: JobStage): StoredJob[] {
    return (this.sql("SELECT * FROM jobs WHERE status = 'queued' AND stage = ? ORDER BY created_at, rowid").all(stage) as JobRow[]).map(toJob);
  }

  /** Sets a queued job's stage and reason together; false when the job is no longer queued. */
  setStage(jobId: string, stage: JobStage | null, reason: string | null): boolean {
    return this.sql("UPDATE jobs SET stage = ?, reason = ? WHERE job_id = ? AND status = 'queued'").run(stage, reason, jobId).changes > 0;
  }

  markRunning(jobId: string, fields: { runner: string; handle: string; gpuIndices: number[]; now: number }): void {
    this.sql("UPDATE jobs SET status = 'running', runner = ?, handle = ?, gpu_indices = ?, started_at = ?, reason = NULL WHERE job_id = ?").run(
      fields.runner,
      fields.handle,
      JSON.stringify(fields.gpuIndices),
      fields.now,
      jobId,
    );
  }

  markEnded(jobId: string, fields: { status: JobStatus; exitCode: number | null; reason: string; endedAt: number }): void {
    this.sql('UPDATE jobs SET status = ?, exit_code = ?, reason = ?, ended_at = ?, stage = NULL WHERE job_id = ?').run(
      fields.status,
      fields.exitCode,
      fields.reason,
      fields.endedAt,
      jobId,
    );
  }

  setReason(jobId: string, reason: string | null): void {
    this.sql('UPDATE jobs SET reason = ? WHERE job_id = ?').run(reason, jobId);
  }
}

function toJob(row: JobRow): StoredJob {
  return {
    jobId: row.job_id,
    name: row.name,
    status: row.status,
    spec: JSON.parse(row.spec) as JobSpec,
    priority: row.priority,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    experimentId: String(row.experiment_id),
    runId: row.run_id,
    attempt: row.attempt,
    runner: row.runner,
    gpuIndices: JSON.parse(row.gpu_indices) as number[],
    exitCode: row.exit_code,
    reason: row.reason,
    handle: row.handle,
    rootJobId: row.root_job_id,
    sweepRunId: row.sweep_run_id,
    maxParallel: row.max_parallel,
    stage: row.stage ?? null,
  };
}
