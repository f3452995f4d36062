import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentHasher } from '../../../../electron/services/pipelines/cache/content-hasher';
import { outputsPresent, stageKey, type StageKeyInput } from '../../../../electron/services/pipelines/cache/stage-key';
import type { CommandStage, JobStage } from '../../../../electron/services/pipelines/pipeline-definition';
import { openDatabase } from '../../../../electron/services/store/database';
import { tempDir } from '../../../helpers/temp-dir';

const DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

function write(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe('stageKey', () => {
  let db: Database;
  let ws: string;
  let hasher: ContentHasher;

  beforeEach(() => {
    db = openDatabase({ dataDir: tempDir('orrery-key-db-') }).db;
    ws = tempDir('orrery-ws-');
    hasher = new ContentHasher(db);
    write(path.join(ws, 'data', 'train.csv'), 'x,y\n1,2\n');
    write(path.join(ws, 'train.py'), 'import helpers\n');
    write(path.join(ws, 'helpers.py'), 'def f(): return 1\n');
    write(path.join(ws, 'params.yaml'), 'train:\n  lr: 0.1\n  epochs: 3\nseed: 1\n');
  });
  afterEach(() => db.close());

  function jobStage(overrides: Partial<JobStage> = {}): JobStage {
    return {
      kind: 'job',
      name: 'train',
      needs: ['prepare'],
      deps: [path.join(ws, 'data')],
      outs: [path.join(ws, 'model')],
      params: { lr: 0.1 },
      line: 4,
      job: { name: 'train', image: 'orrery/python:local', command: ['python', 'train.py'] },
      ...overrides,
    };
  }

  function cmdStage(overrides: Partial<CommandStage> = {}): CommandStage {
    return {
      kind: 'cmd',
      name: 'featurize',
      needs: [],
      deps: [path.join(ws, 'data'), path.join(ws, 'train.py')],
      outs: [path.join(ws, 'features')],
      params: {},
      line: 2,
      cmd: ['python train.py'],
      wdir: ws,
      frozen: false,
      alwaysChanged: false,
      image: 'orrery/python:local',
      paramFiles: [{ file: path.join(ws, 'params.yaml'), keys: ['train.lr', 'seed'] }],
      ...overrides,
    };
  }

  function input(stage: JobStage | CommandStage, overrides: Partial<StageKeyInput> = {}): StageKeyInput {
    return { stage, folder: ws, outs: [path.join(ws, 'model'), path.join(ws, 'features')], imageDigest: DIGEST, upstreamKeys: { prepare: 'k-prepare' }, hasher, ...overrides };
  }

  it('is the same across runs and hashers, and ignores the stage line and the order of needs and deps', async () => {
    const key = await stageKey(input(jobStage()));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await stageKey(input(jobStage()))).toBe(key);
    expect(await stageKey(input(jobStage({ line: 40 }), { hasher: new ContentHasher(db) }))).toBe(key);
    const twoNeeds = { prepare: 'k-prepare', fetch: 'k-fetch' };
    const a = await stageKey(input(jobStage({ needs: ['prepare', 'fetch'], deps: [path.join(ws, 'data'), path.join(ws, 'params.yaml')] }), { upstreamKeys: twoNeeds }));
    const b = await stageKey(input(jobStage({ needs: ['fetch', 'prepare'], deps: [path.join(ws, 'params.yaml'), path.join(ws, 'data')] }), { upstreamKeys: twoNeeds }));
    expect(a).toBe(b);
  });

  it('changes when a dep file changes', async () => {
    const before = await stageKey(input(cmdStage()));
    write(path.join(ws, 'data', 'train.csv'), 'x,y\n1,3\n');
    expect(await stageKey(input(cmdStage()))).not.toBe(before);
  });

  it("changes when a helper file in a job stage's workspace changes, but not when an out or an ignored folder does", async () => {
    const before = await stageKey(input(jobStage()));
    write(path.join(ws, 'model', 'weights.bin'), 'new weights');
    write(path.join(ws, 'features', 'f.npy'), 'features');
    write(path.join(ws, '__pycache__', 'helpers.cpython-311.pyc'), 'bytecode');
    write(path.join(ws, '.git', 'index'), 'git');
    expect(await stageKey(input(jobStage()))).toBe(before);

    write(path.join(ws, 'helpers.py'), 'def f(): return 2\n');
    const helperChanged = await stageKey(input(jobStage()));
    expect(helperChanged).not.toBe(before);

    write(path.join(ws, 'data', 'train.csv'), 'x,y\n1,2\n5,6\n');
    expect(await stageKey(input(jobStage()))).not.toBe(helperChanged);
  });

  it("reads a job stage's deps inside its workspace once, as deps, not again as code", async () => {
    const fresh = new ContentHasher(db);
    await stageKey(input(jobStage(), { hasher: fresh }));
    const files = ['data/train.csv', 'train.py', 'helpers.py', 'params.yaml'];
    expect(fresh.bytesRead).toBe(files.reduce((total, file) => total + fs.statSync(path.join(ws, file)).size, 0));
  });

  it('leaves the pipeline file out of a job stage\'s code when told which it is', async () => {
    const file = write(path.join(ws, 'orrery.pipeline.yaml'), 'stages: {}\n');
    const before = await stageKey(input(jobStage(), { file }));
    write(file, 'stages: { other: {} }\n');
    expect(await stageKey(input(jobStage(), { file }))).toBe(before);
  });

  it("keys a dvc stage by what its deps list, as DVC does, not by the folder's other files", async () => {
    const before = await stageKey(input(cmdStage()));
    write(path.join(ws, 'helpers.py'), 'def f(): return 2\n');
    expect(await stageKey(input(cmdStage()))).toBe(before);
    write(path.join(ws, 'train.py'), 'import helpers  # changed\n');
    expect(await stageKey(input(cmdStage()))).not.toBe(before);
  });

  it('changes when the image digest changes (a retag), even with the same tag', async () => {
    const before = await stageKey(input(jobStage()));
    expect(await stageKey(input(jobStage(), { imageDigest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222' }))).not.toBe(before);
    expect(await stageKey(input(jobStage(), { imageDigest: null }))).not.toBe(before);
  });

  it('changes when a param changes, in the stage or in a params file key it reads, and not for keys it does not read', async () => {
    const before = await stageKey(input(cmdStage()));
    expect(await stageKey(input(cmdStage({ params: { lr: 0.2 } })))).not.toBe(before);

    write(path.join(ws, 'params.yaml'), 'train:\n  lr: 0.1\n  epochs: 30\nseed: 1\n');
    expect(await stageKey(input(cmdStage()))).toBe(before);
    write(path.join(ws, 'params.yaml'), 'train:\n  lr: 0.5\n  epochs: 30\nseed: 1\n');
    expect(await stageKey(input(cmdStage()))).not.toBe(before);

    const job = await stageKey(input(jobStage()));
    expect(await stageKey(input(jobStage({ params: { lr: 0.2 } })))).not.toBe(job);
  });

  it('reads JSON params files and names a missing key, a missing file and an unsupported format', async () => {
    const json = write(path.join(ws, 'params.json'), '{"model": {"depth": 4}}');
    await expect(stageKey(input(cmdStage({ paramFiles: [{ file: json, keys: ['model.depth'] }] })))).resolves.toMatch(/^[0-9a-f]{64}$/);
    await expect(stageKey(input(cmdStage({ paramFiles: [{ file: json, keys: ['model.width'] }] })))).rejects.toThrow(`Stage "featurize": params file ${json} has no key "model.width"`);
    const missing = path.join(ws, 'nope.yaml');
    await expect(stageKey(input(cmdStage({ paramFiles: [{ file: missing, keys: ['a'] }] })))).rejects.toThrow(`params file ${missing} does not exist`);
    const toml = write(path.join(ws, 'params.toml'), 'a = 1\n');
    await expect(stageKey(input(cmdStage({ paramFiles: [{ file: toml, keys: ['a'] }] })))).rejects.toThrow('only YAML (.yaml, .yml) and JSON (.json)');
  });

  it('changes when an upstream key changes, and refuses a missing upstream key', async () => {
    const before = await stageKey(input(jobStage()));
    expect(await stageKey(input(jobStage(), { upstreamKeys: { prepare: 'k-prepare-2' } }))).not.toBe(before);
    await expect(stageKey(input(jobStage(), { upstreamKeys: {} }))).rejects.toThrow('no key for the stage it needs, "prepare"');
  });

  it('changes with the command, and the kind-specific fields', async () => {
    const before = await stageKey(input(cmdStage()));
    expect(await stageKey(input(cmdStage({ cmd: ['python train.py --fast'] })))).not.toBe(before);
    expect(await stageKey(input(cmdStage({ wdir: path.join(ws, 'data') })))).not.toBe(before);
    expect(await stageKey(input(jobStage({ job: { name: 'train', image: 'orrery/python:local', command: ['python', 'other.py'] } })))).not.toBe(await stageKey(input(jobStage())));
  });

  it('names a dep that disappeared, with its stage', async () => {
    const dep = path.join(ws, 'data', 'gone.csv');
    await expect(stageKey(input(cmdStage({ deps: [dep] })))).rejects.toThrow(`Stage "featurize": dep ${dep} does not exist`);
  });
});

describe('outputsPresent', () => {
  it('is false when an out was deleted, naming it', async () => {
    const ws = tempDir('orrery-outs-');
    const model = write(path.join(ws, 'model', 'weights.bin'), 'w');
    const metrics = write(path.join(ws, 'metrics.json'), '{}');
    const stage = { kind: 'cmd', name: 's', needs: [], deps: [], outs: [path.dirname(model), metrics], params: {}, line: 1, cmd: ['true'], wdir: ws, frozen: false, alwaysChanged: false, image: 'x', paramFiles: [] } satisfies CommandStage;
    expect(await outputsPresent(stage)).toEqual({ present: true, missing: [] });
    fs.rmSync(metrics);
    expect(await outputsPresent(stage)).toEqual({ present: false, missing: [metrics] });
  });
});
