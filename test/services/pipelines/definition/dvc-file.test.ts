import { describe, expect, it } from 'vitest';
import type { CommandStage } from '../../../../electron/services/pipelines/pipeline-definition';
import { parseDvcFile } from '../../../../electron/services/pipelines/definition/dvc-file';
import { problem, problemsOf as problemsOfParse } from './definition-problems';

const FILE = '/work/example-get-started/dvc.yaml';
const DIR = '/work/example-get-started';

/** The shape of DVC's "get started" project: prepare → featurize → train → evaluate, with top-level metrics and plots. */
const GET_STARTED = `stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - data/data.xml
    - src/prepare.py
    params:
    - prepare.seed
    - prepare.split
    outs:
    - data/prepared
  featurize:
    cmd: python src/featurization.py data/prepared data/features
    deps:
    - data/prepared
    - src/featurization.py
    params:
    - featurize.max_features
    - featurize.ngrams
    outs:
    - data/features
  train:
    cmd: python src/train.py data/features model.pkl
    deps:
    - data/features
    - src/train.py
    params:
    - train.min_split
    - train.n_est
    - train.seed
    outs:
    - model.pkl
  evaluate:
    cmd: python src/evaluate.py model.pkl data/features
    deps:
    - data/features
    - model.pkl
    - src/evaluate.py
    outs:
    - eval
metrics:
- eval/metrics.json
plots:
- ROC:
    template: simple
    x: fpr
    y:
      eval/plots/sklearn/roc/train.json: tpr
      eval/plots/sklearn/roc/test.json: tpr
- eval/importance.png
params:
- params.yaml
artifacts:
  text-classifier:
    path: model.pkl
    type: model
`;

function problemsOf(text: string) {
  return problemsOfParse(() => parseDvcFile(text, FILE));
}

function stage(definition: { stages: unknown[] }, name: string): CommandStage {
  return definition.stages.find((s) => (s as CommandStage).name === name) as CommandStage;
}

describe('parseDvcFile', () => {
  it("reads DVC's get-started pipeline: commands, paths against the folder, params from params.yaml, edges from outs", () => {
    const definition = parseDvcFile(GET_STARTED, FILE);
    expect(definition).toMatchObject({ file: FILE, folder: DIR, name: 'example-get-started', dialect: 'dvc', triggers: [] });
    expect(definition.stages.map((s) => [s.name, s.needs])).toEqual([
      ['prepare', []],
      ['featurize', ['prepare']],
      ['train', ['featurize']],
      ['evaluate', ['featurize', 'train']],
    ]);
    expect(stage(definition, 'prepare')).toEqual({
      kind: 'cmd',
      name: 'prepare',
      line: 2,
      needs: [],
      cmd: ['python src/prepare.py data/data.xml'],
      wdir: DIR,
      deps: [`${DIR}/data/data.xml`, `${DIR}/src/prepare.py`],
      outs: [`${DIR}/data/prepared`],
      params: {},
      paramFiles: [{ file: `${DIR}/params.yaml`, keys: ['prepare.seed', 'prepare.split'] }],
      frozen: false,
      alwaysChanged: false,
      image: 'orrery/python:local',
    });
    expect(stage(definition, 'evaluate').outs).toEqual([`${DIR}/eval`]);
  });

  it('reads cmd lists, wdir, outs/metrics/plots with flags, every params form, frozen and always_changed', () => {
    const definition = parseDvcFile(
      `stages:
  build:
    desc: Builds the features
    meta: {owner: me}
    wdir: src
    cmd:
    - mkdir -p ../out
    - python build.py > ../out/features.csv
    deps: [build.py, ../raw]
    params:
    - lr
    - config/train.yaml: [model.depth, model.width]
    - ../shared.json:
    - lr
    - extra.toml: []
    outs:
    - ../out/features.csv
    - ../cache_dir:
        cache: false
        persist: true
    metrics:
    - ../out/metrics.json:
        cache: false
    plots:
    - ../out/roc.json:
        x: fpr
        y: tpr
        template: linear
    - ../out/plots
    frozen: true
    always_changed: true
`,
      FILE,
    );
    expect(definition.stages[0]).toMatchObject({
      wdir: `${DIR}/src`,
      cmd: ['mkdir -p ../out', 'python build.py > ../out/features.csv'],
      deps: [`${DIR}/src/build.py`, `${DIR}/raw`],
      outs: [`${DIR}/out/features.csv`, `${DIR}/cache_dir`, `${DIR}/out/metrics.json`, `${DIR}/out/roc.json`, `${DIR}/out/plots`],
      paramFiles: [
        { file: `${DIR}/src/params.yaml`, keys: ['lr'] },
        { file: `${DIR}/src/config/train.yaml`, keys: ['model.depth', 'model.width'] },
        { file: `${DIR}/shared.json`, keys: [] },
        { file: `${DIR}/src/extra.toml`, keys: [] },
      ],
      frozen: true,
      alwaysChanged: true,
    });
  });

  it('makes a stage need the stages whose outs its deps name: the same path, a folder holding it, or a path inside it', () => {
    const definition = parseDvcFile(
      `stages:
  report:
    cmd: make report
    deps: [data]
  download:
    cmd: fetch
    outs: [data/raw]
  split:
    cmd: split
    deps: [data/raw/part-1.csv]
    outs: [data/split]
  unrelated:
    cmd: lint
    deps: [data-old, data/rawer]
`,
      FILE,
    );
    expect(definition.stages.map((s) => [s.name, s.needs])).toEqual([
      ['report', ['download', 'split']],
      ['download', []],
      ['split', ['download']],
      ['unrelated', []],
    ]);
  });

  it('refuses templating by name, never ignoring it: vars, foreach, matrix, and ${...} interpolation', () => {
    expect(problemsOf('vars:\n  - lr: 0.1\nstages:\n  a: {cmd: x}\n')).toEqual([problem(1, 'vars', 'dvc.yaml templating (vars) is not supported')]);
    expect(
      problemsOf(`stages:
  build:
    foreach: [uk, us]
    do:
      cmd: python train.py \${item}
`),
    ).toEqual([problem(3, 'stages.build.foreach', 'dvc.yaml templating (foreach) is not supported'), problem(4, 'stages.build.do', 'dvc.yaml templating (foreach/do) is not supported')]);
    expect(
      problemsOf(`stages:
  train:
    matrix:
      model: [cnn, xgb]
    cmd: ./train.py --model \${item.model}
`),
    ).toEqual([problem(3, 'stages.train.matrix', 'dvc.yaml templating (matrix) is not supported'), problem(5, 'stages.train.cmd', "dvc.yaml templating (${...} interpolation) is not supported: '${item.model}'")]);
    expect(
      problemsOf(`stages:
  train:
    vars: [config.yaml]
    cmd: python train.py
    outs:
    - models/\${model.name}.pkl:
        cache: false
`),
    ).toEqual([problem(3, 'stages.train.vars', 'dvc.yaml templating (vars) is not supported'), problem(6, 'stages.train.outs[0].models/${model.name}.pkl', "'${model.name}'")]);
  });

  it('runs an escaped \\${ as a literal ${, as DVC does', () => {
    const definition = parseDvcFile('stages:\n  a:\n    cmd: echo \\${HOME}\n', FILE);
    expect((definition.stages[0] as CommandStage).cmd).toEqual(['echo ${HOME}']);
  });

  it('reports unknown fields and flags, missing cmd, wrong types, remote deps and one path written by two stages, with lines', () => {
    const problems = problemsOf(`stages:
  a:
    cmd: x
    outs:
    - out/model.pkl:
        cache: false
        compress: true
    deps: [s3://bucket/data.csv]
    timeout: 5
  b:
    deps: [x]
  c:
    cmd: [y, 3]
    outs: [out]
    frozen: "no"
schedule: nightly
`);
    expect(problems).toEqual([
      problem(7, 'stages.a.outs[0].out/model.pkl.compress', 'unknown flag (known: cache, persist'),
      problem(8, 'stages.a.deps[0]', "'s3://bucket/data.csv' is a remote dependency"),
      problem(9, 'stages.a.timeout', 'unknown field (a dvc.yaml stage has: cmd, wdir'),
      problem(10, 'stages.b.cmd', 'is required'),
      problem(13, 'stages.c.cmd[1]', 'must be a string (got the number 3)'),
      problem(15, 'stages.c.frozen', 'must be true or false'),
      problem(16, 'schedule', 'unknown field (dvc.yaml has: stages, plots, metrics, params, artifacts, datasets)'),
    ]);
    expect(problemsOf('stages:\n  a:\n    cmd: x\n    outs: [out]\n  b:\n    cmd: y\n    metrics: [out/m.json]\n')).toEqual([
      problem(7, 'stages.b.metrics[0]', "lies inside an output of stage 'a'"),
    ]);
  });

  it('names the stages of a cycle made by deps and outs, and a duplicate stage', () => {
    expect(problemsOf('stages:\n  a: {cmd: x, deps: [b.txt], outs: [a.txt]}\n  b: {cmd: y, deps: [a.txt], outs: [b.txt]}\n')).toEqual([problem(null, 'stages', 'cycle: a → b → a')]);
    expect(problemsOf('stages:\n  a: {cmd: x}\n  a: {cmd: y}\n')).toEqual([problem(3, 'stages.a', "duplicate stage name 'a' (first at line 2)")]);
  });

  it('accepts a file of only top-level plots and metrics as nothing to run, saying so', () => {
    expect(problemsOf('metrics: [m.json]\nplots: [p.json]\n')).toEqual([problem(1, 'stages', 'is required: this dvc.yaml has no stages to run')]);
  });
});
