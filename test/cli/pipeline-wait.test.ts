import { describe, expect, it } from 'vitest';
import type { OrreryClient } from '../../shared/client';
import type { PipelineRunEvent, PipelineRunView, StageRunStatus } from '../../shared/contract/pipelines';
import { OrreryError } from '../../shared/errors';
import type { PipelineCommand } from '../../electron/cli/pipeline-command';
import { runPipeline } from '../../electron/cli/pipeline-run';
import { stageChanges, watchPipelineRun } from '../../electron/cli/pipeline-wait';
import { tempDir } from '../helpers/temp-dir';
import { stageRunView } from '../fakes/stage-run-view';

const RUN = 'r'.repeat(32);

function view(status: PipelineRunView['status'], stages: Record<string, StageRunStatus>): PipelineRunView {
  return {
    runId: RUN,
    file: '/p/dvc.yaml',
    name: 'p',
    status,
    reason: { kind: 'manual', detail: 'test' },
    options: { force: false, forceStages: [], from: null, runner: null },
    createdAt: 0,
    endedAt: status === 'running' ? null : 1,
    error: null,
    stages: Object.entries(stages).map(([name, s]) => stageRunView({ name, kind: 'dvc', status: s, cached: s === 'cached' })),
  };
}

/** A client whose `pipelines.getRun` answers what `reads` holds (the last one again when they run out), each when `release` is called if held. */
function fakeClient(reads: Array<PipelineRunView | Error>, options: { hold?: boolean } = {}) {
  let listener: ((event: PipelineRunEvent) => void) | null = null;
  let onLive: (() => void) | undefined;
  let unsubscribed = false;
  const pending: Array<() => void> = [];
  let calls = 0;
  const client = {
    call: async (method: string, input: { runId: string }) => {
      expect(method).toBe('pipelines.getRun');
      expect(input).toEqual({ runId: RUN });
      const answer = reads[Math.min(calls, reads.length - 1)]!;
      calls++;
      if (options.hold) await new Promise<void>((resolve) => pending.push(resolve));
      if (answer instanceof Error) throw answer;
      return answer;
    },
    on: (topic: string, l: (event: PipelineRunEvent) => void, live?: () => void) => {
      expect(topic).toBe('pipelines.run');
      listener = l;
      onLive = live;
      return () => {
        unsubscribed = true;
      };
    },
  } as unknown as OrreryClient;
  return {
    client,
    emit: (runId: string) => listener?.({ runId, file: '/p/dvc.yaml', status: 'running', stage: 'a' }),
    live: () => onLive?.(),
    release: () => pending.shift()?.(),
    get calls() {
      return calls;
    },
    get unsubscribed() {
      return unsubscribed;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('watching a pipeline run', () => {
  it('reads at once, again when its event comes or the stream goes live (not for another run\'s), and ends with the ended run', async () => {
    const fake = fakeClient([view('running', { a: 'pending' }), view('running', { a: 'running' }), view('running', { a: 'succeeded' }), view('succeeded', { a: 'succeeded' })]);
    const seen: string[] = [];
    const watch = watchPipelineRun(fake.client, RUN, (v) => seen.push(`${v.status}/${v.stages[0]!.status}`), 60_000);
    await settle();
    expect(seen).toEqual(['running/pending']);
    fake.emit('other-run');
    await settle();
    expect(fake.calls).toBe(1);
    // The stream answered after the first read: what it may have missed is read again.
    fake.live();
    await settle();
    fake.emit(RUN);
    await settle();
    fake.emit(RUN);
    expect(await watch.ended).toMatchObject({ status: 'succeeded' });
    expect(seen).toEqual(['running/pending', 'running/running', 'running/succeeded', 'succeeded/succeeded']);
    expect(fake.unsubscribed).toBe(true);
  });

  it('events while a read is in flight make one more read, not one each', async () => {
    const fake = fakeClient([view('running', { a: 'pending' }), view('succeeded', { a: 'succeeded' })], { hold: true });
    const watch = watchPipelineRun(fake.client, RUN, () => undefined, 60_000);
    await settle();
    for (let i = 0; i < 5; i++) fake.emit(RUN);
    fake.release();
    await settle();
    fake.release();
    expect(await watch.ended).toMatchObject({ status: 'succeeded' });
    expect(fake.calls).toBe(2);
  });

  it('catches an end no event told of, by reading again every pollMs', async () => {
    const fake = fakeClient([view('running', { a: 'running' }), view('running', { a: 'running' }), view('failed', { a: 'failed' })]);
    const watch = watchPipelineRun(fake.client, RUN, () => undefined, 10);
    expect(await watch.ended).toMatchObject({ status: 'failed' });
    expect(fake.calls).toBe(3);
  });

  it('an unknown run fails the wait with the app\'s error', async () => {
    const fake = fakeClient([new OrreryError('NOT_FOUND', `runId: no pipeline run '${RUN}'`)]);
    await expect(watchPipelineRun(fake.client, RUN, () => undefined, 10).ended).rejects.toThrow(`runId: no pipeline run '${RUN}'`);
    expect(fake.unsubscribed).toBe(true);
  });

  it('stage changes: only statuses that differ from the last seen, a stage first seen pending being none', () => {
    const seen = new Map<string, StageRunStatus>();
    const names = (v: PipelineRunView) => stageChanges(seen, v).map((s) => `${s.name}:${s.status}`);
    expect(names(view('running', { a: 'pending', b: 'pending' }))).toEqual([]);
    expect(names(view('running', { a: 'cached', b: 'running' }))).toEqual(['a:cached', 'b:running']);
    expect(names(view('running', { a: 'cached', b: 'running' }))).toEqual([]);
    expect(names(view('failed', { a: 'cached', b: 'failed' }))).toEqual(['b:failed']);
  });
});

describe('orrery pipeline with no Orrery running', () => {
  it('says pipelines need a running Orrery and how to start one on the data dir given', async () => {
    const dataDir = tempDir();
    const io = { out: async () => undefined, err: async () => undefined, now: () => 0 };
    const commands: PipelineCommand[] = [
      { kind: 'pipeline', json: false, subcommand: 'list' },
      { kind: 'pipeline', json: false, subcommand: 'run', file: '/p/dvc.yaml', force: false, forceStages: [], wait: true },
    ];
    for (const command of commands) {
      await expect(runPipeline(command, dataDir, io, 'flag')).rejects.toThrow(
        `No Orrery is running on the data dir ${dataDir} (there is no server.json in it). Pipelines are run and watched by a running Orrery: start one on this data dir with npm run serve -- --data-dir ${dataDir} (or ORRERY_HOME=${dataDir} npm run serve), then try again.`,
      );
    }
  });
});
