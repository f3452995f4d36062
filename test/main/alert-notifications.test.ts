import { describe, expect, it } from 'vitest';
import { showAlertNotifications } from '../../electron/main/alert-notifications';
import { EventBus } from '../../electron/services/events/event-bus';
import type { AlertEvent } from '../../shared/contract/monitoring';

const firing: AlertEvent = {
  id: 4,
  ruleId: 1,
  deployment: 'fraud-api',
  name: 'Dataset drift',
  metric: 'dataset_drift',
  state: 'firing',
  value: 1,
  threshold: 1,
  comparison: '>=',
  message: 'dataset_drift 1 >= 1 on fraud-api',
  startedAt: 1000,
  firingAt: 1000,
  resolvedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  silencedUntil: null,
  notifiedAt: 1000,
  notify: true,
};

function world(supported = true) {
  const bus = new EventBus();
  const shown: Array<{ title: string; body: string }> = [];
  const clicks: Array<() => void> = [];
  const opened: string[] = [];
  const stop = showAlertNotifications(bus, { isSupported: () => supported, show: (note, onClick) => (shown.push(note), clicks.push(onClick)) }, (hash) => opened.push(hash), () => 5000);
  return { bus, shown, clicks, opened: () => opened.length, openedAt: () => opened, stop };
}

describe("the desktop app's alert notifications (Electron's Notification, from the main process)", () => {
  it('shows one OS notification for an incident the app says to tell, and opens the Alerts page on click', () => {
    const w = world();
    w.bus.publish('monitoring.alert', firing);
    w.bus.publish('monitoring.alert', { ...firing, notify: false, acknowledgedAt: 2000 });
    expect(w.shown).toEqual([{ title: 'fraud-api: Dataset drift firing', body: 'dataset_drift 1 >= 1 on fraud-api' }]);
    w.clicks[0]!();
    expect(w.opened()).toBe(1);
  });

  it('stays quiet for a silenced rule, where notifications are unsupported, and once unsubscribed', () => {
    const silenced = world();
    silenced.bus.publish('monitoring.alert', { ...firing, silencedUntil: 9000 });
    expect(silenced.shown).toEqual([]);
    const unsupported = world(false);
    unsupported.bus.publish('monitoring.alert', firing);
    expect(unsupported.shown).toEqual([]);
    const stopped = world();
    stopped.stop();
    stopped.bus.publish('monitoring.alert', firing);
    expect(stopped.shown).toEqual([]);
  });

  it('tells a pipeline stage waiting for approval, and opens its run on click; other pipeline changes stay quiet', () => {
    const w = world();
    w.bus.publish('pipelines.run', { runId: 'r1', file: '/p/orrery.pipeline.yaml', status: 'running', stage: 'train', notice: null });
    w.bus.publish('pipelines.run', { runId: 'r1', file: '/p/orrery.pipeline.yaml', status: 'running', stage: 'deploy', notice: { title: 'Pipeline digits waits for approval', body: 'Stage deploy: waiting for approval of digits version 3' } });
    expect(w.shown).toEqual([{ title: 'Pipeline digits waits for approval', body: 'Stage deploy: waiting for approval of digits version 3' }]);
    w.clicks[0]!();
    expect(w.openedAt()).toEqual(['#/pipeline-runs/r1']);
  });
});
