import type { StageRunView } from '../../shared/contract/pipelines';

/** A pipeline stage as the app shows it: pending and empty, but for what the test gives. */
export function stageRunView(overrides: Partial<StageRunView> & Pick<StageRunView, 'name' | 'kind'>): StageRunView {
  return {
    needs: [],
    status: 'pending',
    cached: false,
    key: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    jobId: null,
    runId: null,
    model: null,
    deployment: null,
    message: null,
    log: [],
    ...overrides,
  };
}
