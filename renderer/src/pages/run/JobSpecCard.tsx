import { useState } from 'react';
import type { Job } from '../../../../shared/contract/training';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Facts, type Fact } from '../../components/Facts';
import { useLiveQuery } from '../../lib/use-live-query';
import { CancelJobDialog } from '../jobs/CancelJobDialog';
import { isCancellable, jobEnding } from '../jobs/job-ending';
import { describeResources } from '../jobs/queue-model';
import { joinArgv } from '../launch/argv';
import { LaunchDialog } from '../launch/LaunchDialog';
import { formFromSpec } from '../launch/spec-to-form';
import { RunLineage } from './RunLineage';

interface JobSpecCardProps {
  /** The run a job made; training.getJob takes it for the job. */
  runId: string;
  tags: Readonly<Record<string, string>>;
}

/**
 * The job behind a run: its whole spec, where it stands or how it ended, "Cancel…" while it waits
 * or runs, and "Re-run…" (the launch dialog filled with this spec). Links to the run it re-runs or
 * retries, and to its own re-runs.
 */
export function JobSpecCard({ runId, tags }: JobSpecCardProps) {
  const job = useLiveQuery((c) => c.call('training.getJob', { jobId: runId }), [runId], {
    patch: { 'training.job': (current, next) => (next.runId === runId ? next : current) },
    // Read again on its events (one may come while the first read is on its way) and when its
    // run changes: the job's row is final before its run is, and the run's event is the one a
    // page that re-subscribes at that moment still gets.
    staleOn: { 'training.job': (next) => next.runId === runId, 'tracking.run': (run) => run.runId === runId },
  });
  const [rerunning, setRerunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const data = job.data;

  const aside = data && (
    <span className="card-actions">
      {isCancellable(data) && (
        <button type="button" className="btn btn-small btn-danger" onClick={() => setCancelling(true)} data-testid="run-cancel-job">
          Cancel…
        </button>
      )}
      <button type="button" className="btn btn-small" onClick={() => setRerunning(true)} data-testid="rerun">
        Re-run…
      </button>
    </span>
  );

  return (
    <Card title="Job" testId="job-card" aside={aside}>
      <RunLineage runId={runId} tags={tags} />
      {job.error && <ErrorNotice title="Could not read the job." error={job.error} onRetry={() => void job.reload()} />}
      {!data && !job.error && <p className="muted">Reading the job…</p>}
      {data && <Facts rows={specFacts(data)} />}
      {rerunning && data && <LaunchDialog initial={formFromSpec(data.spec)} fromRunId={runId} onClose={() => setRerunning(false)} />}
      {cancelling && data && <CancelJobDialog job={data} onClose={() => setCancelling(false)} onCancelled={(next) => job.setData(() => next)} />}
    </Card>
  );
}

function specFacts(job: Job): Fact[] {
  const s = job.spec;
  const state =
    jobEnding(job) ??
    (job.status === 'running' ? `Running (attempt ${job.attempt})` : job.stage === 'hashing-inputs' ? `Queued: ${job.reason ?? 'hashing inputs'}` : `Queued${job.queuePosition ? ` (#${job.queuePosition})` : ''}${job.reason ? `: ${job.reason}` : ''}`);
  const rows: Array<Fact | null> = [
    ['State', state, 'job-state'],
    ['Image', <code className="wrap">{s.image}</code>, 'job-image'],
    ['Command', <code className="wrap">{joinArgv(s.command)}</code>, 'job-command'],
    ['Working dir', s.workingDir ? <code>{s.workingDir}</code> : <span className="muted">the image&apos;s</span>, 'job-workdir'],
    [
      'Mounts',
      s.mounts.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        <ul className="plain-list">
          {s.mounts.map((m) => (
            <li key={m.target}>
              <code className="wrap">
                {m.source} → {m.target}
              </code>{' '}
              <span className="muted">
                {m.kind}, {m.writable ? 'writable' : 'read-only'}
              </span>
            </li>
          ))}
        </ul>
      ),
      'job-mounts',
    ],
    [
      'Environment',
      Object.keys(s.env).length === 0 ? (
        <span className="muted">nothing added</span>
      ) : (
        <ul className="plain-list">
          {Object.entries(s.env).map(([k, v]) => (
            <li key={k}>
              <code className="wrap">
                {k}={v}
              </code>
            </li>
          ))}
        </ul>
      ),
      'job-env',
    ],
    ['Resources', `${describeResources(job)}${s.resources.shmGb ? ` · ${s.resources.shmGb} GB /dev/shm` : ''}`, 'job-resources'],
    ['Retries', s.retries === 0 ? 'none' : `up to ${s.retries} (this is attempt ${job.attempt})`, 'job-retries'],
    ['Priority', String(s.priority), 'job-priority'],
    s.checkpoint ? ['Checkpoints', `${s.checkpoint.dir}, keep last ${s.checkpoint.keepLast}`, 'job-checkpoint'] : null,
    s.earlyStopping
      ? [
          'Early stopping',
          `${s.earlyStopping.metric} (${s.earlyStopping.mode === 'min' ? 'lower' : 'higher'} is better), patience ${s.earlyStopping.patience}${s.earlyStopping.minDelta ? `, min improvement ${s.earlyStopping.minDelta}` : ''}`,
          'job-early-stopping',
        ]
      : null,
    s.maxRuntimeSeconds ? ['Time limit', formatLimit(s.maxRuntimeSeconds), 'job-time-limit'] : null,
    s.allowRoot ? ['User', 'may run as root', 'job-root'] : null,
    s.runner ? ['Runner', s.runner === 'process' ? 'a plain process on this machine, as the job asked' : 'a Docker container, as the job asked', 'job-runner'] : null,
  ];
  return rows.filter((r): r is Fact => r !== null);
}

/** 90 → "1m 30s", 7200 → "2h". */
function formatLimit(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].filter(Boolean).join(' ') || '0s';
}
