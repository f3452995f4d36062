import { describe, expect, it } from 'vitest';
import { contract } from '../../shared/contract/index';
import type { AlertRuleView } from '../../shared/contract/monitoring';
import { buildCompareInput, initialCompareForm, parseMethodOverrides } from '../../renderer/src/pages/compare-datasets/compare-form';
import { buildSetReference, fieldOfReferenceError, initialReferenceForm, windowFormOf, type ReferenceForm } from '../../renderer/src/pages/monitoring/reference-form';
import { buildCreateRule, buildUpdateRule, initialRuleForm } from '../../renderer/src/pages/alerts/rule-form';
import { parseSilenceUntil, toDateTimeLocal } from '../../renderer/src/pages/alerts/silence-time';
import { webhookError } from '../../renderer/src/pages/alerts/webhook-url';

const form = (patch: Partial<ReferenceForm>): ReferenceForm => ({ ...initialReferenceForm(), ...patch });

describe('the set-reference form', () => {
  it('builds a file reference with its windows, which the contract accepts', () => {
    const { errors, input } = buildSetReference(form({ path: ' /data/train.csv ', windowRequests: '500', windowMinutes: '60', driftShare: '0.3' }), 'adder', 'ada');
    expect(errors).toEqual({});
    expect(input).toEqual({ deployment: 'adder', source: { kind: 'file', path: '/data/train.csv' }, windowRequests: 500, windowMinutes: 60, driftShare: 0.3, actor: 'ada' });
    expect(contract['monitoring.setReference'].input.safeParse(input).success).toBe(true);
  });

  it('sends an empty window field as null (by the other one only) and leaves the drift share to the default', () => {
    const { input } = buildSetReference(form({ path: '/d.parquet', windowRequests: '', windowMinutes: '15' }), 'adder', 'ada');
    expect(input).toMatchObject({ windowRequests: null, windowMinutes: 15 });
    expect(input).not.toHaveProperty('driftShare');
  });

  it('builds run artifact, run dataset and first-N-requests sources', () => {
    expect(buildSetReference(form({ sourceKind: 'run-artifact', runId: 'r1', artifactPath: 'data/train.csv' }), 'a', 'u').input?.source).toEqual({ kind: 'run-artifact', runId: 'r1', path: 'data/train.csv' });
    expect(buildSetReference(form({ sourceKind: 'run-dataset', runId: 'r1' }), 'a', 'u').input?.source).toEqual({ kind: 'run-dataset', runId: 'r1' });
    expect(buildSetReference(form({ sourceKind: 'run-dataset', runId: 'r1', datasetName: 'train' }), 'a', 'u').input?.source).toEqual({ kind: 'run-dataset', runId: 'r1', name: 'train' });
    expect(buildSetReference(form({ sourceKind: 'requests', count: '200' }), 'a', 'u').input?.source).toEqual({ kind: 'requests', count: 200 });
  });

  it('names each wrong field and sends nothing', () => {
    const { errors, input } = buildSetReference(form({ path: '', windowRequests: '5', windowMinutes: '1.5', driftShare: '0' }), 'adder', 'ada');
    expect(input).toBeNull();
    expect(errors).toEqual({
      path: 'Give the path of a CSV or Parquet file on this machine.',
      windowRequests: 'Rows per window must be 10–10000000.',
      windowMinutes: 'Minutes per window must be a whole number.',
      driftShare: 'Drift share must be more than 0.',
    });
    expect(buildSetReference(form({ path: '/x.csv', windowRequests: '', windowMinutes: '' }), 'a', 'u').errors).toEqual({ windowRequests: 'Close windows by rows, by minutes or both: give at least one.' });
    expect(buildSetReference(form({ sourceKind: 'run-artifact' }), 'a', 'u').errors).toMatchObject({ runId: expect.stringMatching(/run/), artifactPath: expect.stringMatching(/artifact/) });
    expect(buildSetReference(form({ sourceKind: 'requests', count: '3' }), 'a', 'u').errors).toEqual({ count: 'Rows must be 10–1000000.' });
    expect(buildSetReference(form({ sourceKind: 'requests', count: '' }), 'a', 'u').errors.count).toMatch(/how many/);
  });

  it("puts the server's refusal under the field it is about", () => {
    expect(fieldOfReferenceError('source.path: /data/x.txt is not a CSV or Parquet file', 'file')).toBe('path');
    expect(fieldOfReferenceError('source.path: not found in run r1', 'run-artifact')).toBe('artifactPath');
    expect(fieldOfReferenceError("Run 'r9' does not exist", 'run-dataset')).toBe('runId');
    expect(fieldOfReferenceError('windowMinutes: must be at most a week (10080)', 'file')).toBe('windowMinutes');
    expect(fieldOfReferenceError('The file is empty: no rows to compare with', 'file')).toBe('path');
    expect(fieldOfReferenceError('Something else broke', 'file')).toBe('form');
  });

  it('fills the edit-windows form from the settings', () => {
    expect(windowFormOf({ windowRequests: 1000, windowMinutes: null, driftShare: 0.5 })).toEqual({ windowRequests: '1000', windowMinutes: '', driftShare: '0.5' });
  });
});

describe('the alert rule dialog', () => {
  it('builds a new rule the contract accepts, with the column only for per-column metrics', () => {
    const { errors, input } = buildCreateRule({ ...initialRuleForm(), name: 'Age drifts', metric: 'column_drift', column: 'age', comparison: '>=', threshold: '0.5', forSeconds: '300' }, 'adder', 'ada');
    expect(errors).toEqual({});
    expect(input).toEqual({ deployment: 'adder', name: 'Age drifts', metric: 'column_drift', column: 'age', comparison: '>=', threshold: 0.5, forSeconds: 300, enabled: true, actor: 'ada' });
    expect(contract['monitoring.createAlertRule'].input.safeParse(input).success).toBe(true);
    const latency = buildCreateRule({ ...initialRuleForm(), name: 'Slow', metric: 'p95_ms', column: 'ignored', threshold: '250' }, 'adder', 'ada');
    expect(latency.input?.column).toBeNull();
  });

  it('names what is missing or wrong', () => {
    const { errors, input } = buildCreateRule({ ...initialRuleForm(), name: ' ', metric: 'missing_share', column: '', threshold: 'lots', forSeconds: '-1' }, 'adder', 'ada');
    expect(input).toBeNull();
    expect(errors).toEqual({
      name: 'Name the rule (it titles its alerts).',
      column: 'Name the column missing_share is measured on.',
      threshold: "'lots' is not a number.",
      forSeconds: 'Seconds must be 0–604800.',
    });
    expect(buildCreateRule({ ...initialRuleForm(), name: 'x', threshold: '' }, 'a', 'u').errors.threshold).toMatch(/threshold/);
  });

  it('edits threshold, for-duration and enabled of an existing rule', () => {
    const rule: AlertRuleView = { id: 7, deployment: 'adder', name: 'Error rate', metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds: 300, enabled: true, isDefault: true, silencedUntil: null };
    const edited = { ...initialRuleForm(rule), threshold: '0.05', forSeconds: '60', enabled: false };
    const { input } = buildUpdateRule(edited, 7, 'ada');
    expect(input).toEqual({ id: 7, name: 'Error rate', comparison: '>', threshold: 0.05, forSeconds: 60, enabled: false, actor: 'ada' });
    expect(contract['monitoring.updateAlertRule'].input.safeParse(input).success).toBe(true);
  });
});

describe('silence until and the webhook URL', () => {
  const now = new Date('2026-11-30T10:00:00').getTime();

  it('reads a local date and time in the future, and refuses the past or nonsense', () => {
    expect(parseSilenceUntil(toDateTimeLocal(now + 3_600_000), now)).toEqual({ until: now + 3_600_000 });
    expect(parseSilenceUntil('2026-11-30T09:00', now).error).toBe('Choose a time in the future.');
    expect(parseSilenceUntil('tomorrow', now).error).toBe("'tomorrow' is not a date and time.");
    expect(parseSilenceUntil('', now).error).toMatch(/until when/);
  });

  it('accepts http(s) URLs and empty (no webhook), and says what is wrong otherwise', () => {
    expect(webhookError('')).toBeNull();
    expect(webhookError('https://hooks.example.com/abc')).toBeNull();
    expect(webhookError('hooks.example.com')).toMatch(/is not a URL/);
    expect(webhookError('ftp://example.com/x')).toBe('The webhook must be an http(s) URL, not ftp.');
  });
});

describe('the compare-datasets form', () => {
  it('builds the comparison with its overrides, which the contract accepts', () => {
    const { errors, input } = buildCompareInput({ ...initialCompareForm(), reference: '/r.csv', current: '/c.parquet', kinds: 'zip=categorical\n\nage = numeric', methods: 'age=psi:0.2\nzip=jensenshannon', target: 'label', driftShare: '0.25' });
    expect(errors).toEqual({});
    expect(input).toEqual({
      reference: '/r.csv',
      current: '/c.parquet',
      columnKinds: { zip: 'categorical', age: 'numeric' },
      methods: { age: { method: 'psi', threshold: 0.2 }, zip: { method: 'jensenshannon', threshold: null } },
      driftShare: 0.25,
      target: 'label',
    });
    expect(contract['monitoring.compareDatasets'].input.safeParse(input).success).toBe(true);
  });

  it('names the line of an override that cannot be read', () => {
    const { errors, input } = buildCompareInput({ ...initialCompareForm(), kinds: 'age=number', methods: 'age=ks\nzip=magic' });
    expect(input).toBeNull();
    expect(errors).toEqual({
      reference: 'Give the path of the reference CSV or Parquet file.',
      current: 'Give the path of the current CSV or Parquet file.',
      kinds: "Line 1: 'number' is not a kind; use numeric or categorical.",
      methods: expect.stringMatching(/^Line 2: 'magic' is not a method; use one of ks, chisquare/),
    });
    expect(parseMethodOverrides('age=ks:-1').error).toBe('Line 1: The threshold must be 0–1000000.');
    expect(parseMethodOverrides('age').error).toMatch(/^Line 1 \('age'\): write column=method/);
  });
});
