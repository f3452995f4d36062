import type { RunDetail, RunStatus } from '../../../../shared/contract/tracking';
import type { BadgeTone } from '../../components/Badge';
import { formatBytes, formatDuration } from '../../lib/format';

export function statusTone(status: RunStatus): BadgeTone {
  if (status === 'FINISHED') return 'ok';
  if (status === 'FAILED') return 'bad';
  if (status === 'RUNNING') return 'warn';
  return 'neutral';
}

export function isSystemKey(key: string): boolean {
  return key.startsWith('system/');
}

export const JOB_ID_TAG = 'orrery.job-id';

function obj(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

/** The hardware the run started on, in a line, from the environment captured at run creation. */
export function hardwareSummary(environment: RunDetail['environment']): string | null {
  const hw = obj(obj(environment)?.hardware);
  if (!hw) return null;
  const parts: string[] = [];
  const cpu = obj(hw.cpu);
  if (cpu) {
    const model = str(cpu.model);
    const threads = typeof cpu.threads === 'number' ? `${cpu.threads} threads` : null;
    if (model) parts.push([model, threads].filter(Boolean).join(', '));
  }
  if (typeof hw.memoryBytes === 'number') parts.push(`${formatBytes(hw.memoryBytes)} RAM`);
  const gpus = Array.isArray(hw.gpus) ? hw.gpus.map((g) => str(obj(g)?.name)).filter((n): n is string => n !== null) : [];
  if (gpus.length > 0) {
    const counts = new Map<string, number>();
    for (const g of gpus) counts.set(g, (counts.get(g) ?? 0) + 1);
    parts.push([...counts].map(([name, n]) => (n > 1 ? `${n}× ${name}` : name)).join(', '));
  } else parts.push('no GPU');
  const os = obj(hw.os);
  const host = str(os?.hostname);
  if (host) parts.push(`on ${host}`);
  return parts.join(' · ');
}

/** How long the run took (or has taken, while running), in the format the runs table and jobs page use. */
export function runDuration(run: { startTime: number | null; endTime: number | null; status: RunStatus }, now: number): string {
  if (run.startTime === null) return '—';
  const end = run.endTime ?? (run.status === 'RUNNING' ? now : null);
  return end === null ? '—' : formatDuration(Math.max(0, end - run.startTime));
}
