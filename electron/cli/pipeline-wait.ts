import type { OrreryClient } from '../../shared/client';
import type { PipelineRunView, StageRunStatus, StageRunView } from '../../shared/contract/pipelines';
import { watchUntilEnded, type EndedWatch } from './watch-until-ended';

/**
 * Watches one pipeline run until it ends, handing each fresh read of it to `onView`: read again on
 * each `pipelines.run` event for it and every `pollMs` besides.
 */
export function watchPipelineRun(client: OrreryClient, runId: string, onView: (view: PipelineRunView) => void, pollMs = 2000): EndedWatch<PipelineRunView> {
  return watchUntilEnded({
    read: () => client.call('pipelines.getRun', { runId }),
    hasEnded: (view) => view.status !== 'running',
    listen: (changed) =>
      client.on(
        'pipelines.run',
        (event) => {
          if (event.runId === runId) changed();
        },
        changed,
      ),
    onView,
    pollMs,
  });
}

/**
 * The stages whose status differs from the last one seen (a stage first seen pending is not a
 * change: every stage starts so), in the run's order; `seen` is updated.
 */
export function stageChanges(seen: Map<string, StageRunStatus>, view: PipelineRunView): StageRunView[] {
  const changed: StageRunView[] = [];
  for (const stage of view.stages) {
    const before = seen.get(stage.name) ?? 'pending';
    seen.set(stage.name, stage.status);
    if (stage.status !== before) changed.push(stage);
  }
  return changed;
}
