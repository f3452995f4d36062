import fs from 'node:fs';
import type { EventBus } from '../events/event-bus';
import type { JobBook } from './job-book';
import type { JobFolders } from './job-folders';
import type { JobExit, RunningJob } from './job-launcher';
import { outcomeOf, type StopCause } from './job-outcome';
import type { StoredJob } from './job-repository';
import { EarlyStopping } from './early-stopping';
import { messageOf } from './job-tags';
import { createMetricLineState, parseMetricLine } from './metric-line-parser';
import type { GpuSampleReader, RunTracker } from './ports';

const STOP_GRACE_SECONDS = 10;

interface Active {
  job: StoredJob;
  running: RunningJob;
  cause: StopCause | null;
  log: fs.WriteStream;
  /** Settles once every line written to `log` is in the file (or the file failed). */
  logClosed: Promise<void>;
  cleanup: Array<() => void>;
}

export interface JobFollowerDeps {
  book: JobBook;
  tracking: RunTracker;
  /** For `tracking.metrics`, which early stopping watches. */
  bus: EventBus;
  folders: JobFolders;
  gpuSamples?: GpuSampleReader | undefined;
  systemMetricsIntervalMs?: number | undefined;
  /** A job that failed on its own with retries left: queue its next attempt. */
  retry: (job: StoredJob) => void;
}

/**
 * Following a running job until it ends: its log lines, the metric lines it prints, early
 * stopping, its time limit and system metrics; then its outputs, its outcome, and a retry.
 */
export class JobFollower {
  private readonly active = new Map<string, Active>();

  constructor(private readonly deps: JobFollowerDeps) {}

  isActive(jobId: string): boolean {
    return this.active.has(jobId);
  }

  follow(job: StoredJob, running: RunningJob): void {
    const { book, tracking } = this.deps;
    const now = book.now;
    const log = fs.createWriteStream(this.deps.folders.logFile(job.jobId), { flags: 'a' });
    log.on('error', (error) => console.error(`[training] log of job ${job.jobId}:`, error.message));
    const logClosed = new Promise<void>((resolve) => {
      log.once('close', resolve);
      log.once('error', () => resolve());
    });
    const entry: Active = { job, running, cause: null, log, logClosed, cleanup: [() => log.end()] };
    this.active.set(job.jobId, entry);
    const lineState = createMetricLineState();
    running.onLine((stream, line) => {
      book.writeLog(job, stream, line, log);
      if (stream !== 'stdout') return;
      const parsed = parseMetricLine(line, lineState);
      if (!parsed) return;
      if ('error' in parsed) return book.writeLog(job, 'orrery', parsed.error, log);
      const timestamp = parsed.timestamp ?? now();
      try {
        tracking.logBatch(job.runId, { metrics: parsed.metrics.map((m) => ({ ...m, step: parsed.step, timestamp })), params: [], tags: [] });
      } catch (error) {
        book.writeLog(job, 'orrery', `metrics line not logged: ${messageOf(error)}`, log);
      }
    });
    const { earlyStopping, maxRuntimeSeconds } = job.spec;
    if (book.closed) return;
    if (earlyStopping) {
      const watcher = new EarlyStopping(earlyStopping);
      entry.cleanup.push(
        this.deps.bus.subscribe('tracking.metrics', (event) => {
          if (event.runId !== job.runId || entry.cause) return;
          for (const metric of event.latest) {
            if (metric.key !== earlyStopping.metric) continue;
            const value = typeof metric.value === 'number' ? metric.value : Number(metric.value);
            const verdict = watcher.observe(metric.step, value);
            if (verdict.stop) void this.stop(job.jobId, { kind: 'early-stop', reason: verdict.reason ?? 'early stopping' });
          }
        }),
      );
    }
    if (maxRuntimeSeconds) {
      const elapsed = job.startedAt ? (now() - job.startedAt) / 1000 : 0;
      const timer = setTimeout(() => void this.stop(job.jobId, { kind: 'timeout', seconds: maxRuntimeSeconds }), Math.max(0, maxRuntimeSeconds - elapsed) * 1000);
      entry.cleanup.push(() => clearTimeout(timer));
    }
    const sampler = setInterval(() => void this.sampleSystem(job, running), this.deps.systemMetricsIntervalMs ?? 5000);
    sampler.unref();
    entry.cleanup.push(() => clearInterval(sampler));
    void running.wait().then((exit) => this.finish(job.jobId, exit));
  }

  /** Stops a followed job for `cause` (once; a second stop of the same job does nothing). */
  async stop(jobId: string, cause: StopCause): Promise<void> {
    const entry = this.active.get(jobId);
    if (!entry || entry.cause) return;
    entry.cause = cause;
    // Through the job's own stream, so it lands in order with the job's lines.
    this.deps.book.writeLog(entry.job, 'orrery', `Stopping: ${cause.kind === 'early-stop' ? cause.reason : cause.kind === 'timeout' ? 'time limit reached' : 'cancelled'}`, entry.log);
    await entry.running.stop(STOP_GRACE_SECONDS);
  }

  /**
   * Stop following. Containers keep running and are followed again at the next start; a plain
   * process cannot be, so it is stopped rather than left running unwatched.
   */
  close(): void {
    for (const entry of this.active.values()) {
      for (const fn of entry.cleanup) fn();
      if (entry.running.runner === 'process') void entry.running.stop(0);
      else entry.running.detach();
    }
    this.active.clear();
  }

  private async sampleSystem(job: StoredJob, running: RunningJob): Promise<void> {
    const now = this.deps.book.now;
    const step = Math.round((now() - (job.startedAt ?? now())) / 1000);
    const timestamp = now();
    const metrics: Array<{ key: string; value: number; step: number; timestamp: number }> = [];
    const stats = await running.stats().catch(() => null);
    // A container that has just exited reports zeros: that is not a reading of the job.
    if (stats && stats.memoryBytes > 0) {
      metrics.push({ key: 'system/cpu_percent', value: stats.cpuPercent, step, timestamp });
      metrics.push({ key: 'system/memory_mb', value: stats.memoryBytes / 1024 / 1024, step, timestamp });
    }
    if (job.gpuIndices.length && this.deps.gpuSamples) {
      const samples = await this.deps.gpuSamples().catch(() => []);
      for (const sample of samples.filter((s) => job.gpuIndices.includes(s.index))) {
        if (sample.utilizationPercent !== null) metrics.push({ key: `system/gpu_${sample.index}_utilization`, value: sample.utilizationPercent, step, timestamp });
        if (sample.memoryUsedMb !== null) metrics.push({ key: `system/gpu_${sample.index}_memory_mb`, value: sample.memoryUsedMb, step, timestamp });
      }
    }
    if (metrics.length === 0 || !this.active.has(job.jobId)) return;
    try {
      this.deps.tracking.logBatch(job.runId, { metrics, params: [], tags: [] });
    } catch {
      // The run may have been deleted meanwhile; system metrics are best effort.
    }
  }

  private async finish(jobId: string, exit: JobExit): Promise<void> {
    const { book, folders } = this.deps;
    const entry = this.active.get(jobId);
    if (!entry) return;
    this.active.delete(jobId);
    const outcome = outcomeOf(exit, entry.cause, entry.job.spec.resources.memoryGb);
    book.writeLog(entry.job, 'orrery', `Ended: ${outcome.reason}`, entry.log);
    for (const fn of entry.cleanup) fn();
    // Every line is in the file before the end is told: a page that reads the log when the job
    // ends (a process that failed in its first second) gets all of it, traceback included.
    await entry.logClosed;
    await folders.collectOutputs(entry.job).catch((error: unknown) => book.writeLog(entry.job, 'orrery', `outputs not collected: ${messageOf(error)}`));
    // Orrery closed (its store too) while the outputs were collected: the next start records the end.
    if (book.closed) return;
    folders.pruneCheckpoints(entry.job);
    book.end(entry.job, outcome, exit.exitCode);
    const retriesLeft = entry.job.spec.retries - (entry.job.attempt - 1);
    if (outcome.job === 'failed' && entry.cause === null && retriesLeft > 0) this.deps.retry(entry.job);
  }
}
