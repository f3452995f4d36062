import { RERUN_OF_TAG } from '../../../../shared/contract/training';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';

/** Tagged on a retried attempt's run by the service: the run of the attempt it repeats. */
export const RETRY_OF_TAG = 'orrery.retry-of';

/** The runs.query filter for the runs that re-run `runId` (run ids are hex: nothing to escape). */
export function rerunsFilter(runId: string): string {
  return `tags.\`${RERUN_OF_TAG}\` = '${runId}'`;
}

function RunLink({ runId, name }: { runId: string; name?: string }) {
  return (
    <a href={routeHref('runs', [runId])} title={runId}>
      {name ? `${name} (${runId.slice(0, 8)})` : runId.slice(0, 12)}
    </a>
  );
}

/**
 * Where a job's run stands among its relatives: "Re-run of" / "Retry of" back, and "Re-runs:"
 * forward, found by their rerun-of tag and read again when any run is created or changes.
 */
export function RunLineage({ runId, tags }: { runId: string; tags: Readonly<Record<string, string>> }) {
  const rerunOf = tags[RERUN_OF_TAG];
  const retryOf = tags[RETRY_OF_TAG];
  const reruns = useLiveQuery(
    async (client) => {
      // A re-run may have gone to another experiment: look in every active one.
      const experiments = await client.call('tracking.searchExperiments', {});
      const experimentIds = experiments.slice(0, 100).map((e) => e.experimentId);
      if (experimentIds.length === 0) return [];
      const page = await client.call('tracking.queryRuns', { experimentIds, filter: rerunsFilter(runId), orderBy: ['attributes.start_time ASC'], pageSize: 50, withTotal: false });
      return page.runs.map((r) => ({ runId: r.runId, name: r.name }));
    },
    [runId],
    { staleOn: { 'tracking.run': (event) => event.runId !== runId } },
  );
  const forward = reruns.data ?? [];
  return (
    <>
      {rerunOf && (
        <p data-testid="rerun-of">
          Re-run of <RunLink runId={rerunOf} />
        </p>
      )}
      {retryOf && (
        <p data-testid="retry-of">
          Retry of <RunLink runId={retryOf} />
        </p>
      )}
      {forward.length > 0 && (
        <p data-testid="reruns">
          Re-runs:{' '}
          {forward.map((r, i) => (
            <span key={r.runId}>
              {i > 0 && ', '}
              <RunLink runId={r.runId} name={r.name} />
            </span>
          ))}
        </p>
      )}
    </>
  );
}
