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

/** How long the job ran (or has waited, while queued); null for one that ended without starting. */
export function elapsedOf(job: Job, now: number): number | null {
  if (job.status === 'queued') return now - job.createdAt;
  if (job.startedAt === null) return null;
  return (job.endedAt ?? now) - job.startedAt;
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
