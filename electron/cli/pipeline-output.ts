import type { PipelineRunView, PipelineSummary, StageRunStatus, StageRunView, TriggerView } from '../../shared/contract/pipelines';
import { elapsed, time } from './jobs-output';

/** What `orrery pipeline …` prints as text (--json prints the results themselves). */

/** How much of a stage's key the status table shows: enough to tell two apart at a glance. */
export const SHORT_KEY = 12;

/** `pipeline run`: what started, and the id a script needs next. */
export function startedText(run: PipelineRunView): string {
  const stages = run.stages.length === 1 ? '1 stage' : `${run.stages.length} stages`;
  return `Started pipeline ${run.name} (${stages}) from ${run.file}\nrun ${run.runId}`;
}

/** `pipeline run --wait`: one stage's new status, with what it decided or why it failed. */
export function stageChangeText(stage: StageRunView): string {
  const says = stage.message !== null && stage.status !== 'pending' && stage.status !== 'running' ? ` — ${stage.message}` : '';
  return `stage ${stage.name}: ${statusWords(stage.status)}${says}`;
}

/** `pipeline run --wait` on a run that succeeded: how long, and what ran versus what was cached. */
export function succeededText(run: PipelineRunView, now: number): string {
  const cached = run.stages.filter((s) => s.status === 'cached').length;
  const ran = run.stages.length - cached;
  return `Pipeline ${run.name} succeeded after ${elapsed((run.endedAt ?? now) - run.createdAt)}: ${ran} ran, ${cached} cached; run ${run.runId}`;
}

/**
 * `pipeline run --wait` on a run that did not succeed: what went to stderr. Each failed stage by
 * name with its message, and where its job's log is when it ran as a job.
 */
export function notSucceededText(run: PipelineRunView): string {
  const head = `pipeline ${run.name} (run ${run.runId})`;
  if (run.status === 'cancelled') return `${head} was cancelled${skippedNote(run)}`;
  const failed = run.stages.filter((s) => s.status === 'failed');
  if (failed.length === 0) return `${head} ${run.status}: ${run.error ?? 'no stage says why'}${skippedNote(run)}`;
  const lines = failed.map((s) => {
    const log = s.jobId === null ? '' : `\n  its log: orrery jobs logs ${s.jobId}`;
    return `${head} failed at stage ${s.name}: ${s.message ?? run.error ?? 'failed'}${log}`;
  });
  return `${lines.join('\n')}${skippedNote(run)}`;
}

/** The stages a run that did not succeed left undone: stopped while running, or never started. */
function skippedNote(run: PipelineRunView): string {
  const named = (statuses: readonly StageRunStatus[]) => run.stages.filter((s) => statuses.includes(s.status)).map((s) => s.name);
  const cancelled = named(['cancelled']);
  const notRun = named(['skipped', 'pending']);
  return `${cancelled.length === 0 ? '' : `\n  cancelled: ${cancelled.join(', ')}`}${notRun.length === 0 ? '' : `\n  not run: ${notRun.join(', ')}`}`;
}

/** `pipeline cancel`, once the run has ended (it may have ended otherwise while being cancelled). */
export function cancelledText(run: PipelineRunView): string {
  if (run.status === 'cancelled') return `Cancelled pipeline ${run.name} (run ${run.runId})${skippedNote(run)}`;
  return `Pipeline ${run.name} (run ${run.runId}) ${run.status} before it could be cancelled`;
}

/** `pipeline status`: the run, then one row per stage with its key, duration and what it made. */
export function runStatusText(run: PipelineRunView, now: number): string {
  const took = `${run.endedAt === null ? 'running for' : 'took'} ${elapsed((run.endedAt ?? now) - run.createdAt)}`;
  const head = [
    `Pipeline ${run.name}  ${run.status}`,
    `file     ${run.file}`,
    `run      ${run.runId}`,
    `started  ${time(run.createdAt)} (${run.reason.kind}: ${run.reason.detail}), ${took}`,
    ...(optionWords(run) ? [`options  ${optionWords(run)}`] : []),
    ...(run.error !== null ? [`error    ${oneLine(run.error)}`] : []),
  ];
  const header = ['STAGE', 'STATUS', 'CACHED', 'KEY', 'DURATION', 'LINKS', 'MESSAGE'];
  const rows = run.stages.map((s) => [
    s.name,
    statusWords(s.status),
    s.cached ? 'yes' : 'no',
    s.key === null ? '–' : s.key.slice(0, SHORT_KEY),
    stageDuration(s, now),
    linksText(s) || '–',
    s.message === null ? '–' : oneLine(s.message),
  ]);
  return `${head.join('\n')}\n\n${table(header, rows)}`;
}

/** What a stage made or ran as: its job, run, model version, deployment. */
export function linksText(stage: StageRunView): string {
  return [
    stage.jobId !== null ? `job ${stage.jobId}` : null,
    stage.runId !== null ? `run ${stage.runId}` : null,
    stage.model !== null ? `model ${stage.model.name} v${stage.model.version}` : null,
    stage.deployment !== null ? `deployment ${stage.deployment}` : null,
  ]
    .filter((link) => link !== null)
    .join(', ');
}

/** `pipeline list`: one row per pipeline file with its last run and the next time it starts by itself. */
export function pipelinesTableText(pipelines: readonly PipelineSummary[]): string {
  if (pipelines.length === 0) return 'No pipelines yet: orrery pipeline run FILE runs one, orrery pipeline trigger add FILE … watches one.';
  const header = ['FILE', 'NAME', 'LAST RUN', 'WHEN', 'NEXT TRIGGER', 'PROBLEM'];
  const rows = pipelines.map((p) => [
    p.file,
    p.name,
    p.lastRun === null ? '–' : p.lastRun.status,
    p.lastRun === null ? '–' : time(p.lastRun.createdAt),
    nextTriggerText(p),
    p.problem === null ? '–' : firstLine(p.problem),
  ]);
  return table(header, rows);
}

/** The soonest cron time, else the kinds of trigger that watch it (they fire when something changes). */
function nextTriggerText(pipeline: PipelineSummary): string {
  if (pipeline.nextTriggerAt !== null) return time(pipeline.nextTriggerAt);
  const kinds = [...new Set(pipeline.triggers.map((t) => t.kind))];
  return kinds.length === 0 ? '–' : `on ${kinds.join(', ')}`;
}

/** `pipeline trigger list`. */
export function triggersTableText(triggers: readonly TriggerView[]): string {
  if (triggers.length === 0) return 'No triggers.';
  const header = ['ID', 'FILE', 'KIND', 'TARGET', 'SOURCE', 'NEXT', 'PROBLEM'];
  const rows = triggers.map((t) => [t.triggerId, t.file, t.kind, t.target, t.source, t.nextAt === null ? '–' : time(t.nextAt), t.problem === null ? '–' : oneLine(t.problem)]);
  return table(header, rows);
}

/** `pipeline trigger add`: what now starts the pipeline, and the id `trigger remove` takes. */
export function triggerAddedText(trigger: TriggerView): string {
  const next = trigger.nextAt === null ? '' : ` (next ${time(trigger.nextAt)})`;
  const problem = trigger.problem === null ? '' : `\nproblem: ${trigger.problem}`;
  return `Added a ${trigger.kind} trigger ${trigger.target} to ${trigger.file}${next}${problem}\ntrigger ${trigger.triggerId}`;
}

export function triggerRemovedText(triggerId: string): string {
  return `Removed trigger ${triggerId}`;
}

/** 'waiting-approval' reads as words; the other statuses are words already. */
function statusWords(status: StageRunStatus): string {
  return status === 'waiting-approval' ? 'waiting for approval' : status;
}

function optionWords(run: PipelineRunView): string {
  const { force, forceStages, from, runner } = run.options;
  return [force ? '--force' : '', ...forceStages.map((s) => `--force-stage ${s}`), from !== null ? `--from ${from}` : '', runner !== null ? `--runner ${runner}` : ''].filter(Boolean).join(' ');
}

/** How long it ran (so far); '–' before it starts and for a stage that was cached. */
function stageDuration(stage: StageRunView, now: number): string {
  if (stage.durationMs !== null) return elapsed(stage.durationMs);
  if (stage.startedAt === null) return '–';
  return elapsed((stage.endedAt ?? now) - stage.startedAt);
}

/** A message in one table cell. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' / ');
}

/** The first problem of a file that has several (each on its own line), saying how many more. */
function firstLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length <= 1 ? text.trim() : `${lines[0]} (and ${lines.length - 1} more)`;
}

/** Columns aligned; the last one is not padded. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()).join('\n');
}
