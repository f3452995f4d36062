import { describe, expect, it } from 'vitest';
import type { ModelVersionDetail } from '../../shared/contract/registry';
import { emptyDraft, fromDraft, toDraft } from '../../renderer/src/pages/models/gate-drafts';
import { layoutLineage } from '../../renderer/src/pages/models/lineage-layout';
import { describeActual, describeGate } from '../../renderer/src/pages/models/model-format';
import { parseParents } from '../../renderer/src/pages/models/parent-versions';

describe('gate drafts', () => {
  it('turn typed text into gates, and gates back into text', () => {
    expect(fromDraft({ ...emptyDraft('metric'), metric: ' accuracy ', op: '>=', value: '0.9' })).toEqual({ kind: 'metric', metric: 'accuracy', op: '>=', value: 0.9 });
    expect(fromDraft({ ...emptyDraft('required_file'), path: '/MLmodel' })).toEqual({ kind: 'required_file', path: 'MLmodel' });
    expect(fromDraft({ ...emptyDraft('max_size'), sizeMib: '1.5' })).toEqual({ kind: 'max_size', bytes: 1572864 });
    expect(toDraft({ kind: 'max_size', bytes: 1572864 }).sizeMib).toBe('1.5');
    expect(toDraft({ kind: 'metric', metric: 'loss', op: '<', value: 0.2 })).toMatchObject({ metric: 'loss', op: '<', value: '0.2' });
  });

  it('name the field that is wrong', () => {
    expect(fromDraft({ ...emptyDraft('metric'), metric: 'accuracy', value: 'high' })).toEqual({ error: "Threshold: 'high' is not a number." });
    expect(fromDraft({ ...emptyDraft('metric'), value: '1' })).toEqual({ error: 'Metric: name the metric, like accuracy.' });
    expect(fromDraft(emptyDraft('required_file'))).toMatchObject({ error: expect.stringMatching(/^File: /) });
    expect(fromDraft({ ...emptyDraft('max_size'), sizeMib: '-1' })).toEqual({ error: "Maximum size: '-1' is not a size in MiB." });
  });

  it('read as the team writes them, with the values a version has', () => {
    expect(describeGate({ kind: 'max_size', bytes: 100 * 1024 * 1024 })).toBe('size <= 100 MiB');
    expect(describeActual({ gate: { kind: 'max_size', bytes: 10 }, passed: false, actual: 2048, expected: '<= 10 bytes' })).toBe('2.00 KiB');
    expect(describeActual({ gate: { kind: 'metric', metric: 'f1', op: '>=', value: 0.5 }, passed: false, actual: null, expected: '>= 0.5' })).toBe('not logged');
  });
});

describe('parent versions typed in the register dialog', () => {
  it('parses name:version lists and refuses anything else', () => {
    expect(parseParents('')).toEqual({ list: [] });
    expect(parseParents('resnet-base:3, bert.v2:12')).toEqual({ list: [{ name: 'resnet-base', version: 3 }, { name: 'bert.v2', version: 12 }] });
    expect(parseParents('resnet-base')).toEqual({ error: "'resnet-base' is not name:version (like resnet-base:3)." });
    expect(parseParents('base:0')).toMatchObject({ error: expect.stringContaining("'base:0'") });
  });
});

function version(overrides: Partial<ModelVersionDetail>): ModelVersionDetail {
  return {
    name: 'iris',
    version: 2,
    source: { type: 'run', runId: 'a'.repeat(32), path: 'model' },
    storagePath: '/x',
    files: [],
    totalSize: 0,
    flavor: 'sklearn',
    flavors: [],
    inputSchema: null,
    metrics: {},
    lineage: {
      runId: 'a'.repeat(32),
      runName: 'rf-1',
      experimentId: '1',
      experimentName: 'iris',
      params: {},
      imageDigest: null,
      gitCommit: null,
      gitBranch: null,
      gitDirty: null,
      inputs: [{ name: 'train', digest: 'd1g3st', sourceType: 'local', source: '/data' }],
      parents: [{ name: 'base', version: 1 }],
    },
    stage: 'Staging',
    aliases: [],
    gateStatus: 'none',
    gates: [],
    description: '',
    createdAt: 0,
    createdBy: 'ada',
    updatedAt: 0,
    transitions: [],
    approvals: [],
    pushes: [
      { at: 1, actor: 'ada', reference: 'reg.example.com/m/iris:v2@sha256:' + 'b'.repeat(64), digest: 'sha256:' + 'b'.repeat(64) },
      { at: 2, actor: 'bob', reference: 'reg.example.com/m/iris:v2@sha256:' + 'b'.repeat(64), digest: 'sha256:' + 'b'.repeat(64) },
    ],
    ...overrides,
  };
}

describe('lineage layout', () => {
  it('datasets → run and parents → version → each pushed reference once', () => {
    const layout = layoutLineage(version({}));
    expect(layout.nodes.map((n) => [n.kind, n.column, n.title])).toEqual([
      ['run', 1, 'Run rf-1'],
      ['dataset', 0, 'train'],
      ['parent', 1, 'base v1'],
      ['version', 2, 'iris v2'],
      ['push', 3, 'reg.example.com/m/iris:v2'],
    ]);
    expect(layout.edges).toEqual([
      { from: 'ds:train:d1g3st', to: 'run' },
      { from: 'run', to: 'v:iris:2' },
      { from: 'parent:base:1', to: 'v:iris:2' },
      { from: 'v:iris:2', to: 'push:reg.example.com/m/iris:v2' },
    ]);
    expect(layout.nodes.find((n) => n.kind === 'parent')?.href).toBe('#/models/base/1');
    expect(layout.rows).toBe(2);
  });

  it('a pulled version starts at its registry, after the run that trained it', () => {
    const pulled = version({
      source: { type: 'folder', path: 'reg.example.com/m/iris:v2' },
      pushes: [],
      lineage: { ...version({}).lineage, runId: null, inputs: [], parents: [], pulledFrom: 'reg.example.com/m/iris:v2', digest: 'sha256:' + 'c'.repeat(64), originalLineage: version({}).lineage },
    });
    const layout = layoutLineage(pulled);
    expect(layout.nodes.map((n) => [n.kind, n.column])).toEqual([
      ['registry', 1],
      ['run', 0],
      ['version', 2],
    ]);
    expect(layout.nodes[0]?.subtitle).toBe('reg.example.com/m/iris:v2');
    expect(layout.nodes[1]?.href).toBeUndefined();
  });
});

describe('lineage layout with deployments', () => {
  it('reaches the deployments that serve the version, after it, each linking to its page', () => {
    const layout = layoutLineage(version({ pushes: [] }), [
      { name: 'iris-prod', status: 'running', weight: 90, role: 'stable' },
      { name: 'iris-canary', status: 'running', weight: 10, role: 'candidate' },
    ]);
    const deployments = layout.nodes.filter((n) => n.kind === 'deployment');
    expect(deployments.map((n) => [n.column, n.row, n.title, n.subtitle, n.href])).toEqual([
      [3, 0, 'Deployment iris-prod', 'running · stable 90%', '#/deployments/iris-prod'],
      [3, 1, 'Deployment iris-canary', 'running · candidate 10%', '#/deployments/iris-canary'],
    ]);
    expect(layout.edges).toContainEqual({ from: 'v:iris:2', to: 'deploy:iris-prod' });
    expect(layout.edges).toContainEqual({ from: 'v:iris:2', to: 'deploy:iris-canary' });
  });
});
