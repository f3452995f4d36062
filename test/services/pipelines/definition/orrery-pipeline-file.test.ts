import { describe, expect, it } from 'vitest';
import { parseOrreryPipeline } from '../../../../electron/services/pipelines/definition/orrery-pipeline-file';
import { PipelineFileError } from '../../../../electron/services/pipelines/definition/pipeline-file-error';
import { problem, problemsOf as problemsOfParse } from './definition-problems';

const FILE = '/work/digits/orrery.pipeline.yaml';

const EXAMPLE = `name: digits
triggers:
  - cron: "0 3 * * *"
  - dataset: data/
  - commit: ../repo:main
  - alert: digits
stages:
  validate:
    kind: validate-data
    reference: data/reference.csv
    current: data/current.csv
    drift_share: 0.5
  train:
    kind: train
    needs: [validate]
    job:
      image: orrery/python:local
      command: [python3, train.py]
      params: {epochs: 5, lr: 0.01}
      resources: {gpus: 0, cpus: 1, memory_gb: 2}
      env: {MY_FLAG: "1"}
    deps: [train.py, data/]
    outs: [model/]
  evaluate:
    kind: evaluate
    needs: [train]
    thresholds: {accuracy: ">= 0.9", loss: "< 0.5"}
    beat: {model: digits, alias: champion, metric: accuracy, by: 0.01}
  register: {kind: register, needs: [evaluate], model: digits, path: model, auto_approve: true}
  deploy:
    kind: deploy
    needs: [register]
    deployment: digits
    strategy: canary
    settings: {steps: [10, 50, 100], min_requests: 20}
    replicas: 2
    approval_timeout: 2h30m
  report:
    cmd: [python3 report.py, echo done]
    deps: [model/metrics.json]
    outs: [report.html]
`;

function problemsOf(text: string) {
  return problemsOfParse(() => parseOrreryPipeline(text, FILE));
}

describe('parseOrreryPipeline', () => {
  it('reads a complete pipeline into its definition, every path absolute and every default filled', () => {
    const definition = parseOrreryPipeline(EXAMPLE, FILE);
    expect(definition).toEqual({
      file: FILE,
      folder: '/work/digits',
      name: 'digits',
      dialect: 'orrery',
      triggers: [
        { kind: 'cron', expression: '0 3 * * *' },
        { kind: 'dataset', path: '/work/digits/data' },
        { kind: 'commit', repo: '/work/repo', branch: 'main' },
        { kind: 'alert', deployment: 'digits' },
      ],
      stages: [
        {
          kind: 'validate-data',
          name: 'validate',
          line: 8,
          needs: [],
          deps: ['/work/digits/data/reference.csv', '/work/digits/data/current.csv'],
          outs: [],
          params: {},
          reference: '/work/digits/data/reference.csv',
          current: '/work/digits/data/current.csv',
          driftShare: 0.5,
          failOnQuality: true,
        },
        {
          kind: 'train',
          name: 'train',
          line: 13,
          needs: ['validate'],
          deps: ['/work/digits/train.py', '/work/digits/data'],
          outs: ['/work/digits/model'],
          params: { epochs: 5, lr: 0.01 },
          job: {
            name: 'digits/train',
            experiment: 'digits',
            image: 'orrery/python:local',
            command: ['python3', 'train.py'],
            env: { MY_FLAG: '1' },
            hyperparameters: { epochs: 5, lr: 0.01 },
            passHyperparametersAsArgs: false,
            mounts: [],
            resources: { gpus: 0, cpus: 1, memoryGb: 2 },
            retries: 0,
            priority: 0,
            allowRoot: false,
          },
        },
        {
          kind: 'evaluate',
          name: 'evaluate',
          line: 24,
          needs: ['train'],
          deps: [],
          outs: [],
          params: {},
          from: 'train',
          thresholds: [
            { metric: 'accuracy', op: '>=', value: 0.9 },
            { metric: 'loss', op: '<', value: 0.5 },
          ],
          beat: { model: 'digits', alias: 'champion', metric: 'accuracy', by: 0.01, mode: 'max' },
        },
        { kind: 'register', name: 'register', line: 29, needs: ['evaluate'], deps: [], outs: [], params: {}, from: 'train', model: 'digits', path: 'model', autoApprove: true },
        {
          kind: 'deploy',
          name: 'deploy',
          line: 30,
          needs: ['register'],
          deps: [],
          outs: [],
          params: {},
          from: 'register',
          deployment: 'digits',
          strategy: 'canary',
          settings: { steps: [10, 50, 100], minRequests: 20 },
          replicas: 2,
          approvalTimeoutMs: 2.5 * 3_600_000,
        },
        {
          kind: 'cmd',
          name: 'report',
          line: 38,
          // From its dep inside train's outs, though `needs` does not say so.
          needs: ['train'],
          deps: ['/work/digits/model/metrics.json'],
          outs: ['/work/digits/report.html'],
          params: {},
          cmd: ['python3 report.py', 'echo done'],
          wdir: '/work/digits',
          frozen: false,
          alwaysChanged: false,
          image: 'orrery/python:local',
          paramFiles: [],
        },
      ],
    });
  });

  it('fills the defaults: the folder as name, a job with no kind, a string command run by sh, camelCase names', () => {
    const definition = parseOrreryPipeline(
      `stages:
  fit:
    job:
      image: orrery/python:local
      command: python3 fit.py --fast
      hyperparameters: {depth: 3}
      resources: {memoryGb: 1.5}
      mounts: [{source: ../datasets/mnist, target: /data}]
  gate:
    kind: evaluate
    needs: fit
    thresholds: {f1: "== 1"}
  ship: {kind: register, needs: [gate], model: fit-model}
`,
      FILE,
    );
    expect(definition.name).toBe('digits');
    expect(definition.triggers).toEqual([]);
    const fit = definition.stages[0]!;
    expect(fit).toMatchObject({ kind: 'job', params: { depth: 3 } });
    expect(fit.kind === 'job' && fit.job).toMatchObject({
      name: 'digits/fit',
      experiment: 'digits',
      command: ['sh', '-c', 'python3 fit.py --fast'],
      resources: { memoryGb: 1.5, gpus: 0 },
      mounts: [{ source: '/work/datasets/mnist', target: '/data', kind: 'dataset', writable: false }],
    });
    // A job stage's run is judged when no train stage is upstream; register finds it through the gate.
    expect(definition.stages[1]).toMatchObject({ kind: 'evaluate', from: 'fit', needs: ['fit'] });
    expect(definition.stages[2]).toMatchObject({ kind: 'register', from: 'fit', path: '', autoApprove: false });
  });

  it('reports an unknown top-level field and an unknown stage field with their lines, listing what is known for that kind', () => {
    const problems = problemsOf(`stages:
  train:
    kind: train
    job: {image: x, command: [a]}
    thresholds: {acc: ">= 1"}
schedule: daily
`);
    expect(problems).toEqual([
      problem(5, 'stages.train.thresholds', 'unknown field for a train stage (known: kind, needs, job, sweep, deps, outs)'),
      problem(6, 'schedule', 'unknown field (known: name, triggers, stages)'),
    ]);
  });

  it('reports an unknown kind, listing the known ones', () => {
    expect(problemsOf('stages:\n  a:\n    kind: trian\n    job: {image: x, command: [a]}\n')).toEqual([
      problem(3, 'stages.a.kind', "unknown kind 'trian' (known: validate-data, train, job, evaluate, register, deploy, cmd)"),
    ]);
  });

  it('reports wrong types, naming what was expected and what was given', () => {
    const problems = problemsOf(`stages:
  v:
    kind: validate-data
    reference: [a.csv]
    current: b.csv
    fail_on_quality: "yes"
    drift_share: 2
`);
    expect(problems).toEqual([
      problem(4, 'stages.v.reference', 'must be a string (got a list)'),
      problem(6, 'stages.v.fail_on_quality', 'must be true or false (got the string "yes")'),
      problem(7, 'stages.v.drift_share', 'must be more than 0 and at most 1'),
    ]);
  });

  it('reports a job spec the training schema refuses, at the line of the field as the user wrote it', () => {
    const problems = problemsOf(`stages:
  train:
    kind: train
    job:
      command: [python3, train.py]
      resources:
        memory_gb: lots
        gpu: 1
      retries: 99
`);
    expect(problems).toEqual([
      problem(4, 'stages.train.job.image', 'is required'),
      problem(7, 'stages.train.job.resources.memory_gb', 'must be a number (got the string "lots")'),
      problem(8, 'stages.train.job.resources.gpu', 'unknown field'),
      problem(9, 'stages.train.job.retries', 'must be at most 10'),
    ]);
    expect(problemsOf('stages:\n  t:\n    job:\n      image: x\n      command: [a]\n      resources: {gpus: two}\n')).toEqual([
      problem(6, 'stages.t.job.resources.gpus', 'is not a valid value here (got the string "two")'),
    ]);
    // The schema's own rules (checked once the fields' types are right) keep their wording too.
    expect(problemsOf('stages:\n  t:\n    job:\n      image: x\n      command: [a]\n      env:\n        MLFLOW_RUN_ID: x\n')).toEqual([
      problem(7, 'stages.t.job.env.MLFLOW_RUN_ID', 'is set by Orrery for every job'),
    ]);
  });

  it('reports needs naming an unknown stage at the item, listing the stages', () => {
    expect(problemsOf('stages:\n  a: {cmd: x}\n  b:\n    cmd: y\n    needs: [a, trian]\n')).toEqual([problem(5, 'stages.b.needs[1]', "names no stage: 'trian' (stages: a, b)")]);
  });

  it('names the stages of a cycle, through needs and through deps on outs', () => {
    expect(problemsOf('stages:\n  a: {cmd: x, needs: [c]}\n  b: {cmd: y, needs: [a]}\n  c: {cmd: z, needs: [b]}\n')).toEqual([
      problem(null, 'stages', "the stages' needs form a cycle: a → c → b → a"),
    ]);
    expect(problemsOf('stages:\n  a: {cmd: x, needs: [a]}\n')).toEqual([problem(null, 'stages', 'cycle: a → a')]);
    expect(problemsOf('stages:\n  a: {cmd: x, deps: [b.txt], outs: [a.txt]}\n  b: {cmd: y, deps: [a.txt], outs: [b.txt]}\n')).toEqual([problem(null, 'stages', 'cycle: a → b → a')]);
  });

  it('reports missing required fields of each kind', () => {
    const problems = problemsOf(`stages:
  v: {kind: validate-data, current: c.csv}
  t: {kind: train}
  e: {kind: evaluate, needs: [t]}
  r: {kind: register, needs: [e]}
  d: {kind: deploy, needs: [r]}
  c: {kind: cmd}
  x: {needs: [c]}
`);
    expect(problems).toEqual([
      problem(2, 'stages.v.reference', 'is required for a validate-data stage'),
      problem(3, 'stages.t.job', 'is required for a train stage'),
      problem(4, 'stages.e.thresholds', 'an evaluate stage needs `thresholds`, `beat` or both'),
      problem(5, 'stages.r.model', 'is required for a register stage'),
      problem(6, 'stages.d.deployment', 'is required for a deploy stage'),
      problem(7, 'stages.c.cmd', 'is required for a cmd stage'),
      problem(8, 'stages.x.kind', 'is required (one of validate-data'),
    ]);
    expect(problemsOf('stages:\n  e:\n    kind: evaluate\n    beat: {model: m, by: 0.1}\n')).toContainEqual(problem(4, 'stages.e.beat.metric', 'is required'));
  });

  it('reports a bad threshold, a bad duration and a bad cron with their lines', () => {
    const problems = problemsOf(`triggers:
  - cron: "61 * * * *"
  - cron: every day
stages:
  t: {kind: train, job: {image: x, command: [a]}}
  e:
    kind: evaluate
    needs: [t]
    thresholds:
      accuracy: "at least 0.9"
      loss: 0.5
  r: {kind: register, needs: [e], model: m}
  d: {kind: deploy, needs: [r], deployment: d, approval_timeout: 1 day}
`);
    expect(problems).toEqual([
      problem(2, 'triggers[0].cron', 'is not a valid cron expression: Invalid value for minute: 61'),
      problem(3, 'triggers[1].cron', 'is not a valid cron expression'),
      problem(10, 'stages.e.thresholds.accuracy', 'must be a comparison and a number, like ">= 0.9"'),
      problem(11, 'stages.e.thresholds.loss', 'must be a comparison like ">= 0.9" (got the number 0.5)'),
      problem(13, 'stages.d.approval_timeout', 'must be a duration with units, like "30m", "24h"'),
    ]);
  });

  it('reports a duplicate stage name at the second one, pointing at the first', () => {
    expect(problemsOf('stages:\n  train: {cmd: a}\n  eval: {cmd: b}\n  train: {cmd: c}\n')).toEqual([problem(4, 'stages.train', "duplicate stage name 'train' (first at line 2)")]);
  });

  it('keeps the YAML library\'s line for a syntax error', () => {
    // The flow list opened on line 3 is found unclosed where the next key starts.
    expect(problemsOf('stages:\n  a:\n    cmd: [x,\n  b: {cmd: y}\n')[0]).toEqual(problem(4, '', 'Flow sequence in block collection must be sufficiently indented'));
    expect(problemsOf('stages:\n  a:\n    cmd: x\n\tneeds: []\n')[0]).toEqual(problem(4, '', /tab/i));
  });

  it('refuses an empty file and one that is not a map', () => {
    expect(problemsOf('')).toEqual([problem(1, '', 'must be a map with `stages:` (and optionally `name:` and `triggers:`) (got nothing)')]);
    expect(problemsOf('- a\n- b\n')).toEqual([problem(1, '', 'must be a map with `stages:` (and optionally `name:` and `triggers:`) (got a list)')]);
    expect(problemsOf('name: x\n')).toEqual([problem(1, 'stages', 'is required')]);
  });

  it('collects every problem of a file and lists each as FILE:LINE: FIELD: message', () => {
    const text = `name: ""
stages:
  a: {kind: job, needs: [zz], job: {image: x, command: [a], foo: 1}}
  b: {kind: deploy, deployment: Not_A_Name, strategy: big-bang, replicas: 0}
`;
    let error: PipelineFileError | undefined;
    try {
      parseOrreryPipeline(text, FILE);
    } catch (e) {
      error = e as PipelineFileError;
    }
    expect(error).toBeInstanceOf(PipelineFileError);
    expect(error!.code).toBe('INVALID_INPUT');
    expect(error!.message.split('\n')).toEqual([
      `${FILE}:1: name: must be 1–100 characters on one line`,
      `${FILE}:3: stages.a.job.foo: unknown field`,
      `${FILE}:3: stages.a.needs[0]: names no stage: 'zz' (stages: a, b)`,
      `${FILE}:4: stages.b.deployment: must be 1–63 lowercase letters, digits or '-', starting with a letter or digit`,
      `${FILE}:4: stages.b.strategy: must be one of canary, blue-green, rolling, shadow (got 'big-bang')`,
      `${FILE}:4: stages.b.replicas: must be a whole number 1–64`,
    ]);
  });

  it('refuses a `from` that is not upstream, is of the wrong kind, or is ambiguous when left out', () => {
    const problems = problemsOf(`stages:
  t1: {kind: train, job: {image: x, command: [a]}}
  t2: {kind: train, job: {image: x, command: [a]}}
  e: {kind: evaluate, needs: [t1, t2], thresholds: {acc: ">= 0.5"}}
  e2: {kind: evaluate, from: t1, thresholds: {acc: ">= 0.5"}}
  r: {kind: register, needs: [e], from: e, model: m}
`);
    expect(problems).toEqual([
      problem(4, 'stages.e.from', 'several train stages are upstream (t1, t2): name one with `from:`'),
      problem(5, 'stages.e2.from', "'t1' must run first: add it to this stage's needs"),
      problem(6, 'stages.r.from', "must name a train or job stage; 'e' is an evaluate stage"),
    ]);
  });

  it('refuses two stages writing the same path, and a trigger that is not one known key', () => {
    const problems = problemsOf(`triggers:
  - webhook: x
  - {cron: "@daily", alert: d}
  - commit: main
stages:
  a: {cmd: x, outs: [out/]}
  b: {cmd: y, outs: [out/model.pkl]}
`);
    expect(problems).toEqual([
      problem(2, 'triggers[0].webhook', 'unknown trigger (known: cron, dataset, commit, alert)'),
      problem(3, 'triggers[1]', 'must have exactly one key'),
      problem(4, 'triggers[2].commit', 'must be REPO:BRANCH'),
      problem(7, 'stages.b.outs[0]', "lies inside an output of stage 'a'"),
    ]);
  });
});

describe('a train stage with a sweep', () => {
  const SWEEP = `stages:
  train:
    kind: train
    job: {image: orrery/python:local, command: [python3, train.py], params: {epochs: 3}}
    sweep:
      strategy: grid
      space: {learning_rate: {values: [0.1, 0.01]}, epochs: {min: 2, max: 4, integer: true}}
      max_parallel: 2
      objective: {metric: val_acc, mode: max}
`;

  it('reads the sweep as training.submitSweep takes it, space keys as written', () => {
    const definition = parseOrreryPipeline(SWEEP, FILE);
    const train = definition.stages[0]!;
    expect(train.kind).toBe('train');
    expect(train.kind === 'train' && train.sweep).toEqual({
      strategy: 'grid',
      space: { learning_rate: { values: [0.1, 0.01] }, epochs: { min: 2, max: 4, integer: true } },
      maxTrials: 20,
      maxParallel: 2,
      objective: { metric: 'val_acc', mode: 'max' },
    });
  });

  it('reports a bad sweep at its line and field', () => {
    const problems = problemsOf(SWEEP.replace('mode: max', 'mode: best'));
    expect(problems).toContainEqual(expect.objectContaining({ line: 9, field: expect.stringMatching(/^stages\.train\.sweep\.objective\.mode/) }));
  });
});

describe('a deploy stage with limits', () => {
  const DEPLOY = `stages:
  train: {kind: train, job: {image: orrery/python:local, command: [python3, train.py]}}
  register: {kind: register, needs: [train], model: digits}
  deploy: {kind: deploy, needs: [register], deployment: digits, cpus: 1.5, memory_gb: 2, gpus: 0}
`;

  it('reads each replica\'s limits for the deployment a first run creates', () => {
    const deploy = parseOrreryPipeline(DEPLOY, FILE).stages[2]!;
    expect(deploy).toMatchObject({ kind: 'deploy', cpus: 1.5, memoryGb: 2, gpus: 0 });
  });

  it('refuses limits serving would refuse, at their line', () => {
    expect(problemsOf(DEPLOY.replace('cpus: 1.5', 'cpus: 0').replace('gpus: 0', 'gpus: 1.5'))).toEqual(
      expect.arrayContaining([problem(4, 'stages.deploy.cpus', /0\.01–1024/), problem(4, 'stages.deploy.gpus', /whole number/)]),
    );
  });
});
