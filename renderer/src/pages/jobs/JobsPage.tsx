import { useEffect, useState } from 'react';
import type { Job, JobStatus } from '../../../../shared/contract/training';
import { useClient } from '../../api/client-context';
import { Badge, type BadgeTone } from '../../components/Badge';
import { CopyableCode } from '../../components/CopyableCode';
import { ErrorNotice } from '../../components/ErrorNotice';
import { routeHref } from '../../routing/route';
import { toLoadError, type LoadError } from '../../stores/load-error';
import { useLiveQuery } from '../../lib/use-live-query';
import { useHardwareStore } from '../../stores/stores-context';
import { LaunchDialog } from '../launch/LaunchDialog';
import { CancelJobDialog } from './CancelJobDialog';
import { isCancellable, jobEnding } from './job-ending';
import { formatDuration } from '../../lib/format';
import { describeResources, elapsedOf, splitJobs, upsertJob } from './queue-model';
import '../../styles/launch.css';

const statusTone: Record<JobStatus, BadgeTone> = { queued: 'neutral', running: 'ok', finished: 'ok', failed: 'bad', cancelled: 'warn' };

/** Ticks once a second while something is running or waiting, so elapsed times move. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** The job queue: what runs, what waits and why, what ended; live from the job events. */
export function JobsPage() {
  const client = useClient();
  const overview = useHardwareStore((s) => s.overview);
  const loadHardware = useHardwareStore((s) => s.load);
  // One job's change moves the others' queue positions: apply it at once, then re-read the list.
  const { data: jobs, error, reload, setData: setJobs } = useLiveQuery((c) => c.call('training.listJobs', {}), [], {
    patch: { 'training.job': (current, job) => upsertJob(current, job) },
    staleOn: { 'training.job': true },
  });
  const [actionError, setActionError] = useState<LoadError | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [launching, setLaunching] = useState(false);
  const [cancelling, setCancelling] = useState<Job | null>(null);

  useEffect(() => {
    if (!overview) void loadHardware();
  }, [overview, loadHardware]);

  const { active, ended } = splitJobs(jobs ?? []);
  const now = useNow(active.length > 0);

  async function act(job: Job, action: 'training.cancel' | 'training.retry') {
    // Cancelling asks first; the dialog does it.
    if (action === 'training.cancel') return setCancelling(job);
    setBusy((b) => new Set([...b, job.jobId]));
    setActionError(null);
    try {
      const result = await client.call(action, { jobId: job.jobId });
      setJobs((current) => upsertJob(current, result));
    } catch (err) {
      setActionError(toLoadError(err));
    } finally {
      setBusy((b) => new Set([...b].filter((id) => id !== job.jobId)));
    }
  }

  const docker = overview?.docker;
  return (
    <div className="page queue-page" aria-busy={jobs === null}>
      <header className="page-head">
        <h1>Jobs</h1>
        {jobs && <span className="muted">{active.length === 0 ? 'nothing running' : `${active.filter((j) => j.status === 'running').length} running, ${active.filter((j) => j.status === 'queued').length} waiting`}</span>}
        <button type="button" className="btn btn-primary" onClick={() => setLaunching(true)} data-testid="new-job">
          New job
        </button>
      </header>

      {docker && docker.state !== 'ready' && (
        <div className="notice notice-warn" data-testid="queue-docker-notice">
          <div>
            <p>
              <strong>No Docker engine: jobs run as plain processes</strong> on this machine (same logs and metrics, no isolation or limits). {docker.message}
            </p>
            {docker.fix && <CopyableCode code={docker.fix} />}
          </div>
        </div>
      )}
      {error && <ErrorNotice title="Could not read the jobs." error={error} onRetry={() => void reload()} />}
      {actionError && <ErrorNotice title="That did not work." error={actionError} />}
      {jobs === null && !error && <p className="muted">Reading jobs…</p>}

      {jobs && jobs.length === 0 && (
        <div className="queue-empty-state" data-testid="queue-empty">
          <h2>No training jobs yet</h2>
          <p>
            A <strong>job</strong> runs your training script in a Docker image on this machine, with the GPUs, CPUs and memory you ask for. Orrery queues it until
            those are free, starts it, and records everything it logs (metrics, parameters, output files) as a <strong>run</strong> you can compare later.
          </p>
          <p className="muted">
            Scripts log with <code>mlflow</code> (the tracking URI is set for them) or by printing <code>ORRERY_METRICS {'{"step": 1, "loss": 0.3}'}</code>.
          </p>
          <button type="button" className="btn btn-primary" onClick={() => setLaunching(true)}>
            New job
          </button>
        </div>
      )}

      {jobs && jobs.length > 0 && (
        <>
          <section className="queue-section" aria-labelledby="active-title">
            <h2 id="active-title">Running and waiting</h2>
            {active.length === 0 ? (
              <p className="muted">Nothing is running or waiting.</p>
            ) : (
              <JobTable jobs={active} now={now} busy={busy} onAct={(job, action) => void act(job, action)} testId="active-jobs" />
            )}
          </section>
          <section className="queue-section" aria-labelledby="ended-title">
            <h2 id="ended-title">Recently ended</h2>
            {ended.length === 0 ? (
              <p className="muted">No job has ended yet.</p>
            ) : (
              <JobTable jobs={ended} now={now} busy={busy} onAct={(job, action) => void act(job, action)} testId="ended-jobs" />
            )}
          </section>
        </>
      )}

      {launching && <LaunchDialog onClose={() => setLaunching(false)} />}
      {cancelling && <CancelJobDialog job={cancelling} onClose={() => setCancelling(null)} onCancelled={(job) => setJobs((current) => upsertJob(current, job))} />}
    </div>
  );
}

interface JobTableProps {
  jobs: Job[];
  now: number;
  busy: ReadonlySet<string>;
  onAct(job: Job, action: 'training.cancel' | 'training.retry'): void;
  testId: string;
}

function JobTable({ jobs, now, busy, onAct, testId }: JobTableProps) {
  return (
    <table className="jobs-table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Job</th>
          <th scope="col">Status</th>
          <th scope="col">Resources</th>
          <th scope="col">Elapsed</th>
          <th scope="col">Reason</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => {
          const live = isCancellable(job);
          return (
            <tr key={job.jobId} data-testid="job-row" data-job-id={job.jobId} data-status={job.status}>
              <td className="num">{job.queuePosition ?? ''}</td>
              <td>
                <a href={routeHref('runs', [job.runId])} className="job-name">
                  {job.name}
                </a>
                <div className="muted mono small">
                  {job.spec.image} {job.runner ? `· ${job.runner}` : ''}
                  {job.attempt > 1 ? ` · attempt ${job.attempt}` : ''}
                </div>
              </td>
              <td>
                <Badge tone={statusTone[job.status]} testId="job-status">
                  {job.stage === 'hashing-inputs' ? 'hashing inputs' : job.status}
                </Badge>
              </td>
              <td className="small">{describeResources(job)}</td>
              <td className="num" title={job.status === 'queued' ? 'waiting' : job.startedAt === null ? 'never started' : 'running time'} data-testid="job-elapsed">
                {formatDuration(elapsedOf(job, now))}
              </td>
              <td className="reason" data-testid="job-reason">
                {jobEnding(job) ?? job.reason ?? ''}
              </td>
              <td className="row-actions">
                {live ? (
                  <button type="button" className="btn btn-small" disabled={busy.has(job.jobId)} onClick={() => onAct(job, 'training.cancel')} aria-label={`Cancel ${job.name}`}>
                    Cancel…
                  </button>
                ) : job.status === 'finished' ? (
                  // Running a finished job again is a new decision: its run page asks first (Re-run…).
                  <a className="btn btn-small" href={routeHref('runs', [job.runId])} aria-label={`Re-run ${job.name} from its run page`}>
                    Re-run…
                  </a>
                ) : (
                  <button type="button" className="btn btn-small" disabled={busy.has(job.jobId)} onClick={() => onAct(job, 'training.retry')} aria-label={`Retry ${job.name}`}>
                    Retry
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
