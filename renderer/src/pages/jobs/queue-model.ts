import type { Job } from '../../../../shared/contract/training';

/** Replaces the job with the same id, or adds it; keeps newest first. */
export function upsertJob(jobs: readonly Job[], job: Job): Job[] {
  const rest = jobs.filter((j) => j.jobId !== job.jobId);
  return [job, ...rest].sort((a, b) => b.createdAt - a.createdAt);
}

/** Running first (oldest start first), then queued in queue order; ended jobs newest end first. */
export function splitJobs(jobs: readonly Job[], recent = 20): { active: Job[]; ended: Job[] } {
  const running = jobs.filter((j) => j.status === 'running').sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
  const queued = jobs
    .filter((j) => j.status === 'queued')
    .sort((a, b) => (a.queuePosition ?? Number.MAX_SAFE_INTEGER) - (b.queuePosition ?? Number.MAX_SAFE_INTEGER) || a.createdAt - b.createdAt);
  const ended = jobs
    .filter((j) => j.status !== 'running' && j.status !== 'queued')
    .sort((a, b) => (b.endedAt ?? b.createdAt) - (a.endedAt ?? a.createdAt))
    .slice(0, recent);
  return { active: [...running, ...queued], ended };
}

/** 0:42, 12:05, 3:04:10. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** How long the job ran (or has waited, while queued). */
export function elapsedOf(job: Job, now: number): number {
  if (job.status === 'queued') return now - job.createdAt;
  const start = job.startedAt ?? job.createdAt;
  return (job.endedAt ?? now) - start;
}

/** "GPU 0, 1 · 2 CPUs · 4 GB", what the job asked for (and got, once running). */
export function describeResources(job: Job): string {
  const r = job.spec.resources;
  const parts: string[] = [];
  if (job.gpuIndices.length) parts.push(`GPU ${job.gpuIndices.join(', ')}`);
  else if (Array.isArray(r.gpus)) parts.push(`GPU ${r.gpus.join(', ')}`);
  else if (r.gpus > 0) parts.push(`${r.gpus} GPU${r.gpus === 1 ? '' : 's'}`);
  else parts.push('no GPU');
  parts.push(r.cpus === undefined ? 'any CPUs' : `${r.cpus} CPU${r.cpus === 1 ? '' : 's'}`);
  parts.push(r.memoryGb === undefined ? 'any memory' : `${r.memoryGb} GB`);
  return parts.join(' · ');
}
