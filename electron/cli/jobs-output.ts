import type { Job, JobLogLine } from '../../shared/contract/training';

/** What `orrery jobs …` prints as text (--json prints the results themselves). */

/** `jobs submit`: the two ids a script or person needs next. */
export function submittedText(job: Job, fromRunId?: string): string {
  const rerun = fromRunId ? `, re-running run ${fromRunId}` : '';
  return `Queued ${job.name} in experiment ${job.spec.experiment}${rerun}\njob ${job.jobId}\nrun ${job.runId}`;
}

/** `jobs list`: one row per job, newest first, columns aligned. */
export function jobsTableText(jobs: readonly Job[], now: number): string {
  if (jobs.length === 0) return 'No jobs.';
  const header = ['JOB', 'NAME', 'STATUS', 'RUN', 'STARTED', 'DURATION', 'HOW IT ENDED'];
  const rows = jobs.map((job) => [job.jobId, job.name, statusWord(job), job.runId, job.startedAt === null ? '–' : time(job.startedAt), durationOf(job, now), endText(job)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()).join('\n');
}

/** `jobs cancel`, once the job has ended (it may have ended otherwise while being cancelled). */
export function cancelledText(job: Job): string {
  if (job.status === 'cancelled') return `Cancelled job ${job.name} (${job.jobId}): ${job.reason ?? 'cancelled'}`;
  return `Job ${job.name} (${job.jobId}) ${job.status} before it could be cancelled: ${endText(job)}`;
}

/** `jobs wait` on a job whose run finished. */
export function finishedText(job: Job, now: number): string {
  return `Job ${job.name} (${job.jobId}) finished after ${durationOf(job, now)}; run ${job.runId}`;
}

/** `jobs wait` on a job that ended otherwise: what went to stderr. */
export function endedOtherwiseText(job: Job): string {
  return `job ${job.name} (${job.jobId}) ${job.status}: ${endText(job)}`;
}

/** One line of a job's output; stderr and Orrery's own lines marked as such. */
export function logLineText(line: JobLogLine): string {
  return line.stream === 'stdout' ? line.line : `[${line.stream}] ${line.line}`;
}

/** How the job ended in the service's words (exit code, cancel, time limit …), with a failed job's exit code; what it waits for while queued. */
export function endText(job: Job): string {
  if (job.status === 'running') return '–';
  if (job.status === 'queued') return job.reason ? `waiting: ${job.reason}` : '–';
  // A cancelled job's exit code is only the signal that stopped it: not worth saying.
  const exit = job.status === 'failed' && job.exitCode !== null && !(job.reason ?? '').includes(String(job.exitCode)) ? ` (exit code ${job.exitCode})` : '';
  return `${job.reason ?? job.status}${exit}`;
}

function statusWord(job: Job): string {
  return job.status === 'queued' && job.queuePosition !== null ? `queued #${job.queuePosition}` : job.status;
}

/** How long it ran (so far), as the jobs page shows it; '–' before it starts. */
export function durationOf(job: Job, now: number): string {
  if (job.startedAt === null) return '–';
  return elapsed((job.endedAt ?? now) - job.startedAt);
}

/** 0:42, 12:05, 3:04:10: the jobs page's format. */
export function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const ss = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** UTC, to the second: the same on every machine that reads it. */
export function time(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
