import { describe, expect, it } from 'vitest';
import type { StageRunView } from '../../shared/contract/pipelines';
import { DAG_GAP_X, DAG_NODE_H, DAG_NODE_W, layoutDag, stageDepths } from '../../renderer/src/pages/pipelines/dag-layout';
import { optionsText, reasonText, shortPath, stageCounts, stageElapsed, untimedTriggerText } from '../../renderer/src/pages/pipelines/pipeline-format';
import { stageLinks } from '../../renderer/src/pages/pipelines/stage-links';
import { triggerErrorPlacement, triggerInput } from '../../renderer/src/pages/pipelines/trigger-form';
import { stageRunView } from '../fakes/stage-run-view';

const stage = (name: string, needs: string[] = []) => ({ name, needs });

/** The numbers at the start and end of an edge path "Mx1,y1 C… x2,y2". */
function ends(d: string): { x1: number; y1: number; x2: number; y2: number } {
  const numbers = d.match(/-?\d+(\.\d+)?/g)!.map(Number);
  return { x1: numbers[0]!, y1: numbers[1]!, x2: numbers.at(-2)!, y2: numbers.at(-1)! };
}

function view(overrides: Partial<StageRunView>): StageRunView {
  return stageRunView({ name: 's', kind: 'job', ...overrides });
}

describe('pipeline DAG layout', () => {
  it('puts each stage in the column of its longest chain of needs', () => {
    // validate → train → evaluate → register → deploy, with a report that needs validate and evaluate.
    const depths = stageDepths([
      stage('deploy', ['register']),
      stage('validate'),
      stage('report', ['validate', 'evaluate']),
      stage('train', ['validate']),
      stage('evaluate', ['train']),
      stage('register', ['evaluate']),
    ]);
    expect(Object.fromEntries(depths)).toEqual({ validate: 0, train: 1, evaluate: 2, register: 3, deploy: 4, report: 3 });
  });

  it('stacks independent stages of one depth in rows and draws an edge from each need', () => {
    const layout = layoutDag([stage('prepare'), stage('train-a', ['prepare']), stage('train-b', ['prepare']), stage('compare', ['train-a', 'train-b'])]);
    const at = Object.fromEntries(layout.nodes.map((n) => [n.name, [n.depth, n.row]]));
    expect(at).toEqual({ prepare: [0, 0], 'train-a': [1, 0], 'train-b': [1, 1], compare: [2, 0] });
    expect(layout.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['prepare>train-a', 'prepare>train-b', 'train-a>compare', 'train-b>compare']);
    expect(layout.columns).toBe(3);
    expect(layout.rows).toBe(2);
    // The drawing holds every node.
    for (const n of layout.nodes) {
      expect(n.x + DAG_NODE_W).toBeLessThanOrEqual(layout.width);
      expect(n.y + DAG_NODE_H).toBeLessThanOrEqual(layout.height);
    }
  });

  it('runs each edge from the right side of the need to the left side of the stage needing it', () => {
    const layout = layoutDag([stage('a'), stage('b'), stage('c', ['b'])]);
    const node = (name: string) => layout.nodes.find((n) => n.name === name)!;
    const [edge] = layout.edges;
    const { x1, y1, x2, y2 } = ends(edge!.d);
    expect(x1).toBe(node('b').x + DAG_NODE_W);
    expect(y1).toBe(node('b').y + DAG_NODE_H / 2);
    expect(x2).toBeGreaterThan(node('b').x + DAG_NODE_W + DAG_GAP_X / 2);
    expect(x2).toBeLessThanOrEqual(node('c').x);
    expect(y2).toBe(node('c').y + DAG_NODE_H / 2);
  });

  it('orders a column by the rows of what its stages need, so edges do not cross needlessly', () => {
    // In file order c-of-y would come first though y sits below x.
    const layout = layoutDag([stage('x'), stage('y'), stage('c-of-y', ['y']), stage('c-of-x', ['x'])]);
    const row = (name: string) => layout.nodes.find((n) => n.name === name)!.row;
    expect(row('c-of-x')).toBe(0);
    expect(row('c-of-y')).toBe(1);
  });

  it('ignores needs that name no stage of the run and never loops on a cycle', () => {
    const layout = layoutDag([stage('a', ['gone']), stage('b', ['c']), stage('c', ['b'])]);
    expect(layout.nodes).toHaveLength(3);
    expect(layout.edges.every((e) => e.from !== 'gone')).toBe(true);
    expect(layoutDag([])).toMatchObject({ nodes: [], edges: [], width: 0, height: 0 });
  });
});

describe('pipeline screens text', () => {
  it('shortens a pipeline path to its last segments', () => {
    expect(shortPath('/home/ana/projects/digits/dvc.yaml')).toBe('…/digits/dvc.yaml');
    expect(shortPath('/home/ana/projects/digits/dvc.yaml', 3)).toBe('…/projects/digits/dvc.yaml');
    expect(shortPath('dvc.yaml')).toBe('dvc.yaml');
  });

  it('says what started a run and with which options, as the command line would', () => {
    expect(reasonText({ kind: 'cron', detail: '0 3 * * *' })).toBe('cron: 0 3 * * *');
    expect(reasonText({ kind: 'manual', detail: '' })).toBe('manual');
    expect(reasonText({ kind: 'manual', detail: 'started by hand' })).toBe('started by hand');
    expect(optionsText({ force: false, forceStages: ['train'], from: 'evaluate', runner: 'process' })).toBe('--force-stage train --from evaluate --runner process');
    expect(optionsText({ force: false, forceStages: [], from: null, runner: null })).toBe('');
  });

  it('says how a pipeline with no next cron time starts', () => {
    expect(untimedTriggerText([])).toBe('manual only');
    expect(untimedTriggerText([{ kind: 'dataset' }, { kind: 'alert' }, { kind: 'dataset' }])).toBe('on dataset change, alert');
    expect(untimedTriggerText([{ kind: 'cron' }])).toBe('—');
  });

  it('counts a running stage up to now and a finished one by its duration', () => {
    expect(stageElapsed({ startedAt: 1_000, endedAt: null, durationMs: null }, 4_500)).toBe(3_500);
    expect(stageElapsed({ startedAt: 1_000, endedAt: 2_000, durationMs: 1_000 }, 9_000)).toBe(1_000);
    expect(stageElapsed({ startedAt: null, endedAt: null, durationMs: null }, 9_000)).toBeNull();
    expect(stageCounts([view({ status: 'cached' }), view({ status: 'cached' }), view({ status: 'waiting-approval' })])).toBe('2 cached, 1 waiting for approval');
  });

  it("links a stage's job run, model version and deployment to their pages", () => {
    const runId = 'a'.repeat(32);
    const links = stageLinks(view({ jobId: 'j1', runId, model: { name: 'digits', version: 3 }, deployment: 'digits-prod' }));
    expect(links.map((l) => l.href)).toEqual([`#/runs/${runId}`, '#/models/digits/3', '#/deployments/digits-prod']);
    expect(stageLinks(view({ jobId: 'j1' })).map((l) => l.href)).toEqual(['#/queue']);
    expect(stageLinks(view({}))).toEqual([]);
  });
});

describe('trigger form', () => {
  it('builds the trigger of the chosen kind and refuses an empty value by its field', () => {
    expect(triggerInput('commit', ' /src/repo:main ')).toEqual({ ok: true, trigger: { commit: '/src/repo:main' } });
    expect(triggerInput('alert', 'digits')).toEqual({ ok: true, trigger: { alert: 'digits' } });
    expect(triggerInput('cron', '  ')).toEqual({ ok: false, error: 'Cron expression is required' });
  });

  it("puts the app's refusal of the trigger on its field, and anything else on the form", () => {
    expect(triggerErrorPlacement("trigger.dataset: '/data/x' does not exist")).toEqual({ field: "'/data/x' does not exist" });
    expect(triggerErrorPlacement('Invalid input for pipelines.createTrigger: trigger.cron: must be a cron expression')).toEqual({ field: 'must be a cron expression' });
    expect(triggerErrorPlacement('file: /p/dvc.yaml does not exist')).toEqual({ form: 'file: /p/dvc.yaml does not exist' });
  });
});
