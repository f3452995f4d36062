import type { PipelineRunView, StageRunStatus, StageRunView, TriggerReasonView, TriggerView } from '../../../../shared/contract/pipelines';

export function stageStatusText(status: StageRunStatus): string {
  return status === 'waiting-approval' ? 'waiting for approval' : status;
}

/** The last `keep` segments of a path, behind an ellipsis: "…/digits/dvc.yaml". */
export function shortPath(file: string, keep = 2): string {
  const parts = file.split(/[\\/]/).filter(Boolean);
  if (parts.length <= keep) return file;
  return `…/${parts.slice(-keep).join('/')}`;
}

export function dialectLabel(dialect: 'orrery' | 'dvc'): string {
  return dialect === 'dvc' ? 'dvc.yaml' : 'orrery';
}

/** What started a run, as one phrase: "manual", "cron: 0 3 * * *". */
export function reasonText(reason: TriggerReasonView): string {
  if (!reason.detail) return reason.kind;
  // A manual run's detail says it all ("started by hand", "follow-up of …").
  return reason.kind === 'manual' ? reason.detail : `${reason.kind}: ${reason.detail}`;
}

/** How long a stage ran, still counting while it runs; null when it never started. */
export function stageElapsed(stage: Pick<StageRunView, 'startedAt' | 'endedAt' | 'durationMs'>, now: number): number | null {
  if (stage.durationMs !== null) return stage.durationMs;
  if (stage.startedAt === null) return null;
  return Math.max(0, (stage.endedAt ?? now) - stage.startedAt);
}

export function runElapsed(run: Pick<PipelineRunView, 'createdAt' | 'endedAt'>, now: number): number {
  return Math.max(0, (run.endedAt ?? now) - run.createdAt);
}

/** "in 3 h 10 m" / "5 m 02 s ago" around `now`, for trigger and run times that are near. */
export function relativeTime(at: number, now: number, formatDuration: (ms: number) => string): string {
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** Options a run was started with, in the words of the command line; empty for a plain run. */
export function optionsText(options: PipelineRunView['options']): string {
  const parts: string[] = [];
  if (options.force) parts.push('--force');
  for (const s of options.forceStages) parts.push(`--force-stage ${s}`);
  if (options.from) parts.push(`--from ${options.from}`);
  if (options.runner) parts.push(`--runner ${options.runner}`);
  return parts.join(' ');
}

/** How many stages ended each way, for a run's one-line summary: "3 succeeded, 2 cached". */
export function stageCounts(stages: readonly StageRunView[]): string {
  const counts = new Map<StageRunStatus, number>();
  for (const s of stages) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts.entries()].map(([status, n]) => `${n} ${stageStatusText(status)}`).join(', ');
}

const waitsFor: Record<TriggerView['kind'], string> = { cron: 'schedule', dataset: 'dataset change', commit: 'new commit', alert: 'alert' };

/** When a pipeline with no next cron time starts by itself: "on dataset change, new commit", or "manual only". */
export function untimedTriggerText(triggers: readonly Pick<TriggerView, 'kind'>[]): string {
  const kinds = [...new Set(triggers.map((t) => t.kind).filter((k) => k !== 'cron'))];
  if (kinds.length === 0) return triggers.length === 0 ? 'manual only' : '—';
  return `on ${kinds.map((k) => waitsFor[k]).join(', ')}`;
}
