import { useEffect, useMemo, useRef, useState } from 'react';
import type { JobStatus, SweepTrial, SweepView } from '../../../../shared/contract/training';
import { Badge, type BadgeTone } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Facts, type Fact } from '../../components/Facts';
import { formatValue } from '../../charts/series-math';
import { formatDuration } from '../../lib/format';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { ParamScatter } from '../compare/ParamScatter';
import { describeSpace, formatTrialValue, isFixedSpace, paramAxis, progressText, spaceKind, trialDuration } from './sweep-format';
import '../../styles/sweep.css';

const BEST_COLOR = '#15803d';
const TRIAL_COLOR = '#2563eb';
/** The same tones the jobs page gives these statuses. */
const trialTone: Record<JobStatus, BadgeTone> = { queued: 'neutral', running: 'ok', finished: 'ok', failed: 'bad', cancelled: 'warn' };

/** A sweep's parent run: its search space, trials ranked by the objective, and objective-vs-param plots. */
export function SweepPanel({ runId }: { runId: string }) {
  // The trials' runs, for the event tests below (they are those of the first render, so read a ref).
  const trialRuns = useRef(new Set<string>());
  const sweep = useLiveQuery((client) => client.call('training.getSweep', { runId }), [runId], {
    staleOn: {
      // A trial started or ended (a retry is a new attempt with a new run).
      'training.job': (job) => trialRuns.current.has(job.runId) || job.attempt > 1,
      'tracking.run': (event) => event.runId === runId || trialRuns.current.has(event.runId),
      'tracking.metrics': (event) => trialRuns.current.has(event.runId),
    },
  });
  const data = sweep.data;
  trialRuns.current = new Set(data?.trials.map((t) => t.runId) ?? []);

  const running = data?.trials.some((t) => t.status === 'running') ?? false;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);

  return (
    <Card title="Sweep" testId="sweep-panel" className="sweep-panel" aside={data ? <span className="muted" data-testid="sweep-progress">{progressText(data)}</span> : null}>
      {sweep.error && <ErrorNotice title="Could not read the sweep." error={sweep.error} onRetry={() => void sweep.reload()} />}
      {!data && sweep.loading && <p className="muted">Reading the sweep…</p>}
      {data && (
        <>
          <Facts rows={summary(data)} />
          <SearchSpace sweep={data} />
          <ObjectivePlots sweep={data} />
          <TrialsTable sweep={data} now={now} />
        </>
      )}
    </Card>
  );
}

function summary(sweep: SweepView): Fact[] {
  const best = sweep.trials.find((t) => t.runId === sweep.bestRunId);
  return [
    ['Strategy', sweep.strategy ?? <span className="muted">not recorded</span>, 'sweep-strategy'],
    ['Objective', sweep.objective ? `${sweep.objective.mode === 'min' ? 'minimise' : 'maximise'} ${sweep.objective.metric}` : <span className="muted">not recorded</span>, 'sweep-objective'],
    [
      'Best trial',
      best ? (
        <a href={routeHref('runs', [best.runId])} data-testid="sweep-best-link">
          {best.name} <span className="muted">({formatValue(best.objectiveValue)})</span>
        </a>
      ) : (
        <span className="muted">none yet</span>
      ),
      'sweep-best',
    ],
  ];
}

function SearchSpace({ sweep }: { sweep: SweepView }) {
  const limits: Array<[string, string]> = [
    ['max trials', sweep.maxTrials === null ? '—' : String(sweep.maxTrials)],
    ['parallel', sweep.maxParallel === null ? '—' : String(sweep.maxParallel)],
    ...(sweep.seed !== null ? ([['seed', String(sweep.seed)]] as Array<[string, string]>) : []),
  ];
  return (
    <section className="sweep-section" data-testid="sweep-space" aria-label="Search space">
      <h3>Search space</h3>
      {sweep.space ? (
        <table className="kv sweep-space-table">
          <tbody>
            {Object.entries(sweep.space).map(([name, space]) => (
              <tr key={name} data-testid="sweep-space-row" data-param={name}>
                <th scope="row">{name}</th>
                <td className="sweep-space-kind">{spaceKind(space)}</td>
                <td className="wrap">{describeSpace(space)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted" data-testid="sweep-space-missing">
          The search space was not recorded for this sweep (it was made by an older Orrery). The swept params shown are those that differ between
          its trials.
        </p>
      )}
      <p className="sweep-limits muted" data-testid="sweep-limits">
        {limits.map(([label, value]) => (
          <span key={label}>
            {label} <strong>{value}</strong>
          </span>
        ))}
      </p>
    </section>
  );
}

function ObjectivePlots({ sweep }: { sweep: SweepView }) {
  const { objective, sweptParams, trials } = sweep;
  const ys = useMemo(() => trials.map((t) => t.objectiveValue), [trials]);
  const colors = useMemo(() => trials.map((t) => (t.runId === sweep.bestRunId ? BEST_COLOR : TRIAL_COLOR)), [trials, sweep.bestRunId]);
  // A param with one value in its space is the same in every trial: listed as fixed, not plotted.
  const fixed = useMemo(() => sweptParams.filter((name) => isFixedSpace(sweep.space?.[name])), [sweptParams, sweep.space]);
  const axes = useMemo(
    () =>
      sweptParams
        .filter((name) => !fixed.includes(name))
        .map((name) => ({ name, axis: paramAxis(trials.map((t) => t.params[name]), sweep.space?.[name]) })),
    [sweptParams, fixed, trials, sweep.space],
  );
  if (!objective || sweptParams.length === 0) return null;
  const scored = ys.filter((y) => y !== null).length;
  return (
    <section className="sweep-section" aria-label="Objective against each param">
      <h3>
        {objective.metric} against each param {scored > 0 && <span className="muted">({`${scored} of ${trials.length} trials`}; best in green)</span>}
      </h3>
      {fixed.length > 0 && (
        <p className="muted small" data-testid="sweep-fixed-params">
          Fixed (not plotted):{' '}
          {fixed.map((name, i) => (
            <span key={name}>
              {i > 0 && ', '}
              {name} = {describeSpace(sweep.space![name]!)}
            </span>
          ))}
        </p>
      )}
      {scored === 0 ? (
        <p className="muted" data-testid="sweep-plots-empty">
          No trial has logged {objective.metric} yet: the plots appear when one does.
        </p>
      ) : (
        <div className="sweep-plots">
          {axes.map(({ name, axis }) => (
            <div key={name} className="sweep-plot" data-testid="sweep-plot" data-param={name}>
              <ParamScatter
                xLabel={name}
                yLabel={objective.metric}
                xs={axis.xs}
                ys={ys}
                colors={colors}
                xLog={axis.log}
                xCategories={axis.categories}
                testId="sweep-scatter"
              />
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function TrialsTable({ sweep, now }: { sweep: SweepView; now: number }) {
  const { objective, sweptParams } = sweep;
  return (
    <section className="sweep-section" aria-label="Trials">
      <h3>
        Trials{' '}
        <span className="muted">
          {objective ? `ranked by ${objective.metric}, ${objective.mode === 'min' ? 'lowest' : 'highest'} first` : 'in the order they were queued'}
        </span>
      </h3>
      <div className="table-scroll">
        <table className="sweep-trials" data-testid="sweep-trials">
          <thead>
            <tr>
              <th>#</th>
              <th>Trial</th>
              {sweptParams.map((name) => (
                <th key={name} className="num">
                  {name}
                </th>
              ))}
              <th className="num">{objective?.metric ?? 'objective'}</th>
              <th>Status</th>
              <th className="num">Duration</th>
            </tr>
          </thead>
          <tbody>
            {sweep.trials.map((trial, i) => (
              <TrialRow key={trial.jobId} rank={i + 1} trial={trial} best={trial.runId === sweep.bestRunId} sweptParams={sweptParams} now={now} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TrialRow({ rank, trial, best, sweptParams, now }: { rank: number; trial: SweepTrial; best: boolean; sweptParams: readonly string[]; now: number }) {
  return (
    <tr data-testid="sweep-trial" data-run-id={trial.runId} data-best={best ? 'true' : undefined} className={best ? 'sweep-best-row' : undefined}>
      <td className="num muted">{rank}</td>
      <td>
        <a className="sweep-trial-name" href={routeHref('runs', [trial.runId])}>
          {trial.name}
        </a>
        {best && (
          <>
            {' '}
            <Badge tone="ok" testId="sweep-best-badge">
              best
            </Badge>
          </>
        )}
        {trial.attempt > 1 && <span className="muted small"> attempt {trial.attempt}</span>}
      </td>
      {sweptParams.map((name) => (
        <td key={name} className="num" data-param={name}>
          {formatTrialValue(trial.params[name])}
        </td>
      ))}
      <td className="num" data-testid="sweep-trial-objective">
        {formatValue(trial.objectiveValue)}
      </td>
      <td>
        <Badge tone={trialTone[trial.status]}>{trial.status}</Badge>
      </td>
      <td className="num">{formatDuration(trialDuration(trial, now))}</td>
    </tr>
  );
}
