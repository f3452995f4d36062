import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../../electron/services/events/event-bus';
import type { TriggerReason } from '../../../../electron/services/pipelines/pipeline-definition';
import { TriggerCoordinator, type TriggerProblem } from '../../../../electron/services/pipelines/triggers/trigger-coordinator';
import { defaultTriggerWatchers, type IdentifiedTrigger, type TriggerWatchers, type WatchCallbacks, type WatchedTrigger } from '../../../../electron/services/pipelines/triggers/trigger-watchers';
import { MemoryTriggerState } from './memory-trigger-state';

const FILE = '/work/digits/orrery.pipeline.yaml';
const OTHER = '/work/other/dvc.yaml';

/** Runs that end when the test says so. */
function fakeRuns() {
  const runs: Array<{ file: string; reason: TriggerReason; runId: string; finish: () => void }> = [];
  const startRun = vi.fn(async (file: string, reason: TriggerReason) => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const runId = `run-${runs.length + 1}`;
    runs.push({ file, reason, runId, finish });
    return { runId, done };
  });
  return { runs, startRun };
}

/** Watchers the test fires by hand. */
function fakeWatchers() {
  const active = new Map<string, { trigger: WatchedTrigger; callbacks: WatchCallbacks }>();
  const started: string[] = [];
  const watchers: TriggerWatchers = {
    watch(trigger, callbacks) {
      active.set(trigger.id, { trigger, callbacks });
      started.push(trigger.id);
      return { stop: () => active.delete(trigger.id) };
    },
  };
  const fire = (id: string, detail: string) => {
    const entry = active.get(id);
    if (!entry) throw new Error(`trigger ${id} is not watched`);
    entry.callbacks.fire({ kind: entry.trigger.kind, detail });
  };
  return { watchers, active, started, fire };
}

const dataset: IdentifiedTrigger = { id: 'ds', kind: 'dataset', path: '/data/digits' };
const commitTrigger: IdentifiedTrigger = { id: 'git', kind: 'commit', repo: '/src/digits', branch: 'main' };
const alertTrigger: IdentifiedTrigger = { id: 'drift', kind: 'alert', deployment: 'digits' };

describe('trigger coordinator', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 4, 2, 8, 0)); // 2 May 2026, 08:00 local
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function coordinator(state = new MemoryTriggerState()) {
    const runs = fakeRuns();
    const w = fakeWatchers();
    const problems: TriggerProblem[] = [];
    const startFailures: unknown[] = [];
    const c = new TriggerCoordinator({
      startRun: runs.startRun,
      state,
      watchers: w.watchers,
      onProblem: (p) => problems.push(p),
      onStartFailed: (_f, _r, e) => startFailures.push(e),
    });
    return { c, state, problems, startFailures, ...runs, ...w };
  }

  it('runs a pipeline once at a time and coalesces three triggers during a run into exactly one follow-up', async () => {
    const t = coordinator();
    t.c.setTriggers(FILE, [dataset, commitTrigger, alertTrigger]);
    await t.c.start();
    expect(await t.c.request(FILE, { kind: 'manual', detail: 'run from the app' })).toEqual({ started: true, runId: 'run-1' });

    t.fire('ds', 'dataset /data/digits changed');
    t.fire('git', 'commit 1a2b3c on main');
    t.fire('drift', 'alert "drift" firing on deployment digits');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.startRun).toHaveBeenCalledOnce();
    expect(t.c.running(FILE)).toBe('run-1');
    expect(await t.c.request(FILE, { kind: 'manual', detail: 'again' })).toEqual({ started: false, runningRunId: 'run-1', waiting: 4 });

    t.runs[0]!.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.runs).toHaveLength(2);
    const follow = t.runs[1]!.reason;
    expect(follow.kind).toBe('dataset');
    expect(follow.coalesced?.map((r) => r.kind)).toEqual(['dataset', 'commit', 'alert', 'manual']);
    expect(follow.detail).toBe('dataset /data/digits changed; commit 1a2b3c on main; alert "drift" firing on deployment digits; again');

    // The follow-up ends with nothing waiting: no more runs.
    t.runs[1]!.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.runs).toHaveLength(2);
    expect(t.c.running(FILE)).toBeNull();
    t.c.stop();
  });

  it('runs different pipelines side by side, and a run resumed after a restart holds its pipeline', async () => {
    const t = coordinator();
    let resumedDone!: () => void;
    t.c.track(OTHER, 'run-old', new Promise<void>((r) => (resumedDone = r)));
    expect((await t.c.request(FILE, { kind: 'manual', detail: 'a' })).started).toBe(true);
    expect((await t.c.request(OTHER, { kind: 'manual', detail: 'b' })).started).toBe(false);
    resumedDone();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.runs.map((r) => [r.file, r.reason.detail])).toEqual([
      [FILE, 'a'],
      [OTHER, 'b'],
    ]);
  });

  it('fires a cron trigger at its times and records each check', async () => {
    const t = coordinator();
    t.c.setTriggers(FILE, [{ id: 'hourly', kind: 'cron', expression: '0 * * * *' }]);
    await t.c.start();
    expect(t.c.nextCronFire(FILE)).toBe(new Date(2026, 4, 2, 9, 0).getTime());
    await vi.advanceTimersByTimeAsync(59 * 60_000);
    expect(t.runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.runs.map((r) => r.reason)).toEqual([{ kind: 'cron', detail: 'cron 0 * * * *' }]);
    expect(t.state.cronChecks.get('hourly')).toBe(new Date(2026, 4, 2, 9, 0).getTime());
    t.runs[0]!.finish();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(t.runs).toHaveLength(2);
    t.c.stop();
  });

  it('starts one catch-up run for cron times missed while closed, and none when nothing was missed', async () => {
    const state = new MemoryTriggerState();
    // Last looked yesterday at 23:00: today's 03:00 and 06:00 passed while closed.
    state.setLastCronCheck('nightly', new Date(2026, 4, 1, 23, 0).getTime());
    state.setLastCronCheck('early', new Date(2026, 4, 1, 23, 0).getTime());
    // Last looked at 07:30: its 09:00 has not come yet.
    state.setLastCronCheck('later', new Date(2026, 4, 2, 7, 30).getTime());
    const t = coordinator(state);
    t.c.setTriggers(FILE, [
      { id: 'nightly', kind: 'cron', expression: '0 3 * * *' },
      { id: 'early', kind: 'cron', expression: '0 6 * * *' },
    ]);
    t.c.setTriggers(OTHER, [{ id: 'later', kind: 'cron', expression: '0 9 * * *' }]);
    await t.c.start();
    expect(t.runs).toHaveLength(1);
    expect(t.runs[0]!.file).toBe(FILE);
    expect(t.runs[0]!.reason.kind).toBe('cron');
    expect(t.runs[0]!.reason.coalesced).toHaveLength(2);
    expect(t.runs[0]!.reason.detail).toMatch(/^cron 0 3 \* \* \* \(catch-up.*; cron 0 6 \* \* \* \(catch-up/);
    expect(state.getLastCronCheck('nightly')).toBe(Date.now());

    // A cron trigger added now has no record: no catch-up.
    t.c.setTriggers(OTHER, [{ id: 'later', kind: 'cron', expression: '0 9 * * *' }, { id: 'fresh', kind: 'cron', expression: '0 3 * * *' }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.runs).toHaveLength(1);
    t.c.stop();
  });

  it('stop() stops every watcher and timer, and no run starts after it', async () => {
    const t = coordinator();
    t.c.setTriggers(FILE, [{ id: 'c', kind: 'cron', expression: '*/5 * * * *' }, dataset, alertTrigger]);
    t.c.setTriggers(OTHER, [commitTrigger]);
    await t.c.start();
    expect(vi.getTimerCount()).toBe(1);
    expect(t.active.size).toBe(3);
    await t.c.request(FILE, { kind: 'manual', detail: 'running at stop' });
    t.fire('ds', 'queued');
    t.c.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(t.active.size).toBe(0);
    t.runs[0]!.finish();
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(t.runs).toHaveLength(1);
  });

  it('stop() leaves no timers with the real watchers either', async () => {
    const state = new MemoryTriggerState();
    const { startRun } = fakeRuns();
    const c = new TriggerCoordinator({
      startRun,
      state,
      watchers: defaultTriggerWatchers({
        hash: async () => 'h1',
        bus: new EventBus(),
        watchPath: () => () => {},
        exists: async () => true,
        readHead: async () => ({ sha: 'a'.repeat(40) }),
      }),
    });
    c.setTriggers(FILE, [{ id: 'c', kind: 'cron', expression: '@hourly' }, dataset, commitTrigger, alertTrigger]);
    await c.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.getLastDatasetHash('ds')).toBe('h1');
    expect(state.getLastCommit('git')).toBe('a'.repeat(40));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    c.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('changes triggers at runtime: adds, removes, keeps unchanged ones running, refuses a bad one naming its field', async () => {
    const t = coordinator();
    t.c.setTriggers(FILE, [dataset]);
    await t.c.start();
    t.c.setTriggers(FILE, [dataset, commitTrigger]);
    expect(t.started).toEqual(['ds', 'git']); // the dataset watch was not restarted
    expect(() => t.c.setTriggers(FILE, [{ id: 'bad', kind: 'cron', expression: '0 3 * *' }])).toThrow(/^triggers\[0\]\.expression: cron "0 3 \* \*": has 4 fields/);
    expect(() => t.c.setTriggers(FILE, [{ id: 'rel', kind: 'dataset', path: 'data' }])).toThrow('triggers[0].path: "data" must be an absolute path');
    expect([...t.active.keys()]).toEqual(['ds', 'git']);
    t.c.setTriggers(FILE, [commitTrigger, { id: 'c', kind: 'cron', expression: '@daily' }]);
    expect([...t.active.keys()]).toEqual(['git']);
    expect(t.c.nextCronFire(FILE)).toBe(new Date(2026, 4, 3, 0, 0).getTime());
    expect(t.c.triggersOf(FILE).map((x) => x.id)).toEqual(['git', 'c']);
    t.c.setTriggers(FILE, []);
    expect(t.active.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(t.c.nextCronFire(FILE)).toBeNull();
  });

  it('hands watchers their recorded value, records new ones, and passes problems on', async () => {
    const state = new MemoryTriggerState();
    state.setLastDatasetHash('ds', 'old-hash');
    const t = coordinator(state);
    t.c.setTriggers(FILE, [dataset]);
    await t.c.start();
    const { callbacks } = t.active.get('ds')!;
    expect(callbacks.lastSeen).toBe('old-hash');
    callbacks.remember('new-hash');
    expect(state.getLastDatasetHash('ds')).toBe('new-hash');
    callbacks.problem('dataset path /data/digits is not there');
    expect(t.problems).toEqual([{ pipelineFile: FILE, triggerId: 'ds', message: 'dataset path /data/digits is not there' }]);
    t.c.stop();
  });

  it('a run that cannot start: the caller gets the error, a trigger reports it, the pipeline is free again', async () => {
    const t = coordinator();
    t.startRun.mockRejectedValueOnce(new Error('stages.train.job.image: no image digits:missing')).mockRejectedValueOnce(new Error('still broken'));
    await expect(t.c.request(FILE, { kind: 'manual', detail: 'x' })).rejects.toThrow('no image digits:missing');
    t.c.setTriggers(FILE, [dataset]);
    await t.c.start();
    t.fire('ds', 'changed');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.startFailures).toEqual([new Error('still broken')]);
    expect((await t.c.request(FILE, { kind: 'manual', detail: 'fixed' })).started).toBe(true);
    t.c.stop();
  });
});
