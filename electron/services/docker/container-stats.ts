import type Docker from 'dockerode';

/** The CPU use between the engine's two samples, as `docker stats` computes it. */
export function cpuPercentOf(stats: Pick<Docker.ContainerStats, 'cpu_stats' | 'precpu_stats'>): number {
  const now = stats.cpu_stats;
  const before = stats.precpu_stats;
  const cpuDelta = (now?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (now?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  return (cpuDelta / systemDelta) * cpus * 100;
}

/** Memory in use less the inactive page cache (cgroup v1 `total_inactive_file`, v2 `inactive_file`). */
export function memoryBytesOf(stats: Pick<Docker.ContainerStats, 'memory_stats'>): number {
  const memory = stats.memory_stats as { usage?: number; stats?: Record<string, number | undefined> } | undefined;
  const usage = memory?.usage ?? 0;
  const inactive = memory?.stats?.['total_inactive_file'] ?? memory?.stats?.['inactive_file'];
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}
