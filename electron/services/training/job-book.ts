import fs from 'node:fs';
import type { Job, JobLogLine, JobStatus } from '../../../shared/contract/training';
import { OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import type { JobFolders } from './job-folders';
import type { Outcome } from './job-outcome';
import type { JobRepository, StoredJob } from './job-repository';
import type { RunTag, RunTracker } from './ports';
import type { ResourceManager } from './resource-manager';

export interface JobBookDeps {
  jobs: JobRepository;
  tracking: RunTracker;
  bus: EventBus;
  resources: ResourceManager;
  folders: JobFolders;
  now: () => number;
  /** After a job's end is recorded (its row as it is now): the sweep's parent is updated and the queue moves on. */
  afterEnd: (job: StoredJob | undefined) => void;
}

/**
 * The bookkeeping every part of the queue shares: jobs as the contract shows them (with their
 * place in line), each job's log and events, and recording how a job ended.
 */
export class JobBook {
  /** Set once the service closes: nothing new starts or is followed. */
  closed = false;

  constructor(private readonly deps: JobBookDeps) {}

  get now(): () => number {
    return this.deps.now;
  }

  /** A job by its id or by the id of the run it made. */
  get(jobId: string): Job {
    const job = this.deps.jobs.get(jobId) ?? this.deps.jobs.byRunId(jobId);
    if (!job) throw new OrreryError('NOT_FOUND', `No job with id ${jobId}, and no job made a run with that id.`);
    return this.withPositions([job])[0]!;
  }

  list(statuses?: readonly JobStatus[]): Job[] {
    return this.withPositions(this.deps.jobs.list(statuses));
  }

  private withPositions(jobs: StoredJob[]): Job[] {
    const queue = this.deps.jobs
      .queue()
      .filter((j) => !this.deps.resources.allocationOf(j.jobId))
      .map((j) => j.jobId);
    return jobs.map(({ handle: _handle, ...job }) => {
      const at = queue.indexOf(job.jobId);
      return { ...job, queuePosition: job.status === 'queued' && at >= 0 ? at + 1 : null };
    });
  }

  publish(jobId: string): void {
    this.deps.bus.publish('training.job', this.get(jobId));
  }

  writeLog(job: StoredJob | Job, stream: JobLogLine['stream'], line: string, log?: fs.WriteStream): void {
    const entry: JobLogLine = { jobId: job.jobId, runId: job.runId, stream, line, at: this.deps.now() };
    const text = `${JSON.stringify(entry)}\n`;
    if (log) log.write(text);
    else fs.appendFileSync(this.deps.folders.logFile(job.jobId), text);
    this.deps.bus.publish('training.log', entry);
  }

  /** The last `tail` lines of a job's log (those holding `search`, when given). */
  logs(jobId: string, tail: number, search?: string): JobLogLine[] {
    const job = this.get(jobId);
    const file = this.deps.folders.logFile(jobId);
    if (!fs.existsSync(file)) return [];
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const parsed = lines.map((text) => JSON.parse(text) as JobLogLine).filter((l) => !search || l.line.includes(search));
    return parsed.slice(-tail).map((l) => ({ ...l, jobId: job.jobId, runId: job.runId }));
  }

  /** Best effort: a deleted run keeps what it had. */
  tagRun(runId: string, tags: RunTag[]): void {
    try {
      this.deps.tracking.logBatch(runId, { metrics: [], params: [], tags });
    } catch {
      // The run was deleted; the job's log still says what happened.
    }
  }

  /** Records how a job ended (its row, its run, its resources freed), then lets the queue move on. */
  end(job: StoredJob | Job, outcome: Outcome, exitCode: number | null, endedAt = this.deps.now()): void {
    const { jobs, resources, tracking } = this.deps;
    jobs.markEnded(job.jobId, { status: outcome.job, exitCode, reason: outcome.reason, endedAt });
    resources.release(job.jobId);
    try {
      tracking.logBatch(job.runId, {
        metrics: [],
        params: [],
        tags: [{ key: 'orrery.end_reason', value: outcome.reason }, ...(exitCode === null ? [] : [{ key: 'orrery.exit_code', value: String(exitCode) }])],
      });
      // A job that never started (cancelled in the queue, refused at launch) gives its run no end
      // time: nothing ran, so the runs table and run page read "—" as the jobs page and CLI do.
      tracking.updateRun(job.runId, { status: outcome.run, ...((jobs.get(job.jobId)?.startedAt ?? job.startedAt) === null ? {} : { endTime: endedAt }) });
    } catch {
      // A deleted run keeps its last state; the job row still says how it ended.
    }
    this.publish(job.jobId);
    this.deps.afterEnd(jobs.get(job.jobId));
  }
}
