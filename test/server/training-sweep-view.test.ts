import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, SweepSubmitted, SweepView } from '../../shared/contract/training';
import { GRID_SWEEP, gatedTrialCode, sweepGate } from '../helpers/gated-sweep';
import { startTestServer, type TestServer } from '../helpers/test-server';

// Each trial waits for the gate, so the test sees the sweep before any trial has logged.
let gate: ReturnType<typeof sweepGate>;
let server: TestServer;
beforeEach(async () => {
  gate = sweepGate('orrery-sweep-gate-');
  // No Docker engine answers in this server, so the trials run as plain processes on the real queue.
  server = await startTestServer();
});
afterEach(async () => {
  // Trials left waiting by a failed test end before their store closes.
  gate.open();
  await untilIdle().catch(() => undefined);
  await server.close();
});

async function submitGrid(): Promise<SweepSubmitted> {
  const res = await server.rpc<SweepSubmitted>('training.submitSweep', {
    spec: { name: 'grid', image: 'host', experiment: 'sweeps', command: ['python3', '-c', gatedTrialCode(gate.path)], hyperparameters: { epochs: 2 } },
    sweep: GRID_SWEEP,
  });
  expect(res.body.error).toBeUndefined();
  return res.body.result!;
}

async function getSweep(runId: string): Promise<SweepView> {
  const res = await server.rpc<SweepView>('training.getSweep', { runId });
  expect(res.body.error).toBeUndefined();
  return res.body.result!;
}

/** Until no job of this server is queued or running. */
async function untilIdle(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const listed = (await server.rpc<Job[]>('training.listJobs', { status: ['queued', 'running'] })).body.result!;
    if (listed.length === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs still running: ${JSON.stringify(listed.map((j) => [j.name, j.status]))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('training.getSweep: a sweep read back from its parent run', () => {
  it('records the space, and ranks the trials best first by the objective once they have run', async () => {
    const submitted = await submitGrid();
    const early = await getSweep(submitted.parentRunId);
    // Before any trial has logged, every trial is listed in trial order, none best.
    expect(early.trials.map((t) => t.runId)).toEqual(submitted.jobs.map((j) => j.runId));
    expect(early.trials.every((t) => t.objectiveValue === null)).toBe(true);
    expect(early.bestRunId).toBeNull();

    gate.open();
    await untilIdle();
    const sweep = await getSweep(submitted.parentRunId);
    expect(sweep).toMatchObject({
      parentRunId: submitted.parentRunId,
      strategy: 'grid',
      objective: { metric: 'val_loss', mode: 'min' },
      space: { lr: { values: [0.1, 0.3] }, depth: { min: 1, max: 2, step: 1, integer: true } },
      maxTrials: 10,
      maxParallel: 2,
      seed: null,
      sweptParams: ['lr', 'depth'],
    });
    // Only the swept params, not the spec's fixed ones (epochs).
    expect(sweep.trials.map((t) => t.params)).toEqual([
      { lr: 0.3, depth: 1 },
      { lr: 0.3, depth: 2 },
      { lr: 0.1, depth: 1 },
      { lr: 0.1, depth: 2 },
    ]);
    expect(sweep.trials.map((t) => t.objectiveValue)).toEqual([0.8, 0.9, 1, 1.1]);
    expect(sweep.trials.every((t) => t.status === 'finished' && t.startedAt !== null && t.endedAt! >= t.startedAt)).toBe(true);
    expect(sweep.trials[0]!.name).toBe('grid #3');
    // The best is the one the parent run names as best.
    const parent = server.running.app.tracking.getRun(submitted.parentRunId);
    expect(sweep.bestRunId).toBe(sweep.trials[0]!.runId);
    expect(parent.tags['orrery.sweep.best_run_id']).toBe(sweep.bestRunId);
  });

  it('a sweep made before the space was recorded still lists its trials, with the params that vary', async () => {
    const submitted = await submitGrid();
    gate.open();
    await untilIdle();
    const tracking = server.running.app.tracking;
    for (const key of ['orrery.sweep.space', 'orrery.sweep.max_trials', 'orrery.sweep.max_parallel']) tracking.deleteTag(submitted.parentRunId, key);
    const sweep = await getSweep(submitted.parentRunId);
    expect(sweep).toMatchObject({ space: null, maxTrials: null, maxParallel: null, strategy: 'grid' });
    expect(sweep.sweptParams.sort()).toEqual(['depth', 'lr']);
    expect(sweep.trials).toHaveLength(4);
    expect(sweep.trials[0]!.params).toEqual({ lr: 0.3, depth: 1 });
  });

  it('refuses a run that is not a sweep, naming runId; an unknown run is not found', async () => {
    const experimentId = server.running.app.tracking.createExperiment('plain');
    const run = server.running.app.tracking.createRun({ experimentId, name: 'single', tags: [] });
    const notSweep = await server.rpc('training.getSweep', { runId: run.runId });
    expect(notSweep.body.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^runId: run [0-9a-f]{32} is not a sweep/) });
    const unknown = await server.rpc('training.getSweep', { runId: 'f'.repeat(32) });
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND' });
  });
});
