import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/contract/monitoring';
import { attentionCount, isSilenced, needsAttention, sortInbox } from '../../renderer/src/pages/alerts/alert-order';
import { describeCondition, formatFor, notificationOf } from '../../renderer/src/pages/alerts/alert-text';

function alert(id: number, patch: Partial<AlertView>): AlertView {
  return {
    id,
    ruleId: 1,
    deployment: 'adder',
    name: 'Dataset drift',
    metric: 'dataset_drift',
    state: 'firing',
    value: 1,
    threshold: 1,
    comparison: '>=',
    message: 'Window 3: 2 of 3 columns drifted.',
    startedAt: 1000,
    firingAt: 1000,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: null,
    notifiedAt: null,
    ...patch,
  };
}

describe('the alerts inbox', () => {
  it('lists firing first (unacknowledged at the top), then pending, then resolved, newest first within each', () => {
    const list = [
      alert(1, { state: 'resolved', resolvedAt: 9000 }),
      alert(2, { state: 'firing', firingAt: 2000, acknowledgedAt: 2500 }),
      alert(3, { state: 'pending', firingAt: null, startedAt: 8000 }),
      alert(4, { state: 'firing', firingAt: 1500 }),
      alert(5, { state: 'firing', firingAt: 3000 }),
      alert(6, { state: 'resolved', resolvedAt: 9500 }),
    ];
    expect(sortInbox(list).map((a) => a.id)).toEqual([5, 4, 2, 3, 6, 1]);
    // The input is left as it was.
    expect(list.map((a) => a.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('counts firing alerts nobody acknowledged for the navigation badge', () => {
    const list = [alert(1, {}), alert(2, { acknowledgedAt: 5 }), alert(3, { state: 'pending' }), alert(4, { state: 'resolved' }), alert(5, {})];
    expect(attentionCount(list)).toBe(2);
    expect(needsAttention(alert(9, { state: 'resolved' }))).toBe(false);
    expect(attentionCount([])).toBe(0);
  });

  it('knows while a silence holds', () => {
    expect(isSilenced(alert(1, { silencedUntil: 2000 }), 1999)).toBe(true);
    expect(isSilenced(alert(1, { silencedUntil: 2000 }), 2000)).toBe(false);
    expect(isSilenced(alert(1, {}), 0)).toBe(false);
  });
});

describe('alert words', () => {
  it('makes a desktop notification only for events marked notify and not silenced', () => {
    expect(notificationOf({ ...alert(4, {}), notify: true }, 0)).toEqual({ title: 'adder: Dataset drift firing', body: 'Window 3: 2 of 3 columns drifted.', tag: 'orrery-alert-4' });
    expect(notificationOf({ ...alert(4, {}), notify: false }, 0)).toBeNull();
    expect(notificationOf({ ...alert(4, { silencedUntil: 10_000 }), notify: true }, 5000)).toBeNull();
  });

  it('describes a rule condition and its for-duration', () => {
    expect(describeCondition({ metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds: 300 })).toBe('error_rate > 0.01 for 5 min');
    expect(describeCondition({ metric: 'column_drift', column: 'age', comparison: '>=', threshold: 0.5, forSeconds: 0 })).toBe('column_drift(age) >= 0.5, at once');
    expect([formatFor(90), formatFor(7200), formatFor(0)]).toEqual(['90 s', '2 h', 'at once']);
  });
});
