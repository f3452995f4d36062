import { describe, expect, it } from 'vitest';
import type { AlertView, PipelineAlertView } from '../../shared/contract/monitoring';
import { notificationOf } from '../../renderer/src/pages/alerts/alert-text';
import { pipelineAlertHref, pipelineFailureSubject, pipelineOf } from '../../renderer/src/pages/alerts/pipeline-alert';

const FILE = '/work/digits/orrery.pipeline.yaml';

function pipelineAlert(pipeline: Partial<PipelineAlertView>, patch: Partial<AlertView> = {}): AlertView {
  return {
    id: 12,
    ruleId: null,
    deployment: null,
    name: 'Pipeline failed',
    metric: null,
    state: 'firing',
    value: null,
    threshold: null,
    comparison: null,
    message: "pipeline digits failed at stage 'train' (run r1): exited with code 1",
    startedAt: 1000,
    firingAt: 1000,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: null,
    notifiedAt: 1000,
    source: 'pipeline',
    pipeline: { file: FILE, name: 'digits', runId: 'r1', stage: 'train', error: 'exited with code 1', failures: 1, ...pipeline },
    ...patch,
  };
}

describe('a pipeline alert in the inbox', () => {
  it('links to the failed run, or to the pipeline when no run could start', () => {
    expect(pipelineAlertHref(pipelineOf(pipelineAlert({}))!)).toBe('#/pipeline-runs/r1');
    expect(pipelineAlertHref(pipelineOf(pipelineAlert({ runId: null, stage: null }))!)).toBe(`#/pipelines/${encodeURIComponent(FILE)}`);
  });

  it('says what failed: a stage, the run, or its start', () => {
    expect(pipelineFailureSubject({ runId: 'r1', stage: 'train' })).toBe('stage train');
    expect(pipelineFailureSubject({ runId: 'r1', stage: null })).toBe('run failed');
    expect(pipelineFailureSubject({ runId: null, stage: null })).toBe('did not start');
  });

  it('tells a rule alert (no pipeline, or a payload from before pipeline alerts) from a pipeline one', () => {
    expect(pipelineOf(pipelineAlert({}, { pipeline: null, source: 'rule' }))).toBeNull();
    const { pipeline: _p, source: _s, ...older } = pipelineAlert({});
    expect(pipelineOf(older)).toBeNull();
  });

  it('makes a desktop notification titled with the pipeline, not a deployment', () => {
    expect(notificationOf({ ...pipelineAlert({}), notify: true }, 0)).toEqual({ title: 'Pipeline digits failed', body: "pipeline digits failed at stage 'train' (run r1): exited with code 1", tag: 'orrery-alert-12' });
    expect(notificationOf({ ...pipelineAlert({}), notify: false }, 0)).toBeNull();
    expect(notificationOf({ ...pipelineAlert({}, { state: 'resolved', resolvedAt: 2000 }), notify: true }, 0)?.title).toBe('Pipeline digits recovered');
  });
});
