import type { OrreryClient } from '../../shared/client';
import type { PipelineRunView, StageRunStatus, StageRunView } from '../../shared/contract/pipelines';

export interface RunWatch {
  /** The run once it has ended; rejects when the run is unknown (or Orrery stops answering). */
  ended: Promise<PipelineRunView>;
  close(): void;
}

/**
 * Watches one pipeline run until it ends, handing each fresh read of it to `onView`. It is read
 * again on each `pipelines.run` event for it, once the event stream is live (a read before then
 * may have missed an event), and every `pollMs` besides, since the stream may drop and an end it
 * missed must not leave us waiting. Reads go one at a time, so views arrive in the order they were
 * read; events while one is in flight make one more read, not one each.
 */
export function watchPipelineRun(client: OrreryClient, runId: string, onView: (view: PipelineRunView) => void, pollMs = 2000): RunWatch {
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let reading = false;
  let again = false;
  let settle: (view: PipelineRunView) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const ended = new Promise<PipelineRunView>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const read = async (): Promise<void> => {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const view = await client.call('pipelines.getRun', { runId });
        if (closed) return;
        onView(view);
        if (view.status !== 'running') return settle(view);
      } while (again);
    } catch (error) {
      return fail(error);
    } finally {
      reading = false;
    }
  };
  const poll = (): void => {
    timer = null;
    void read().then(() => {
      if (!closed) timer = setTimeout(poll, pollMs);
    });
  };

  const off = client.on(
    'pipelines.run',
    (event) => {
      if (event.runId === runId) void read();
    },
    () => void read(),
  );
  poll();
  const close = (): void => {
    closed = true;
    off();
    if (timer !== null) clearTimeout(timer);
  };
  // Settled either way: stop polling and listening.
  ended.then(close, close);
  return { ended, close };
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
