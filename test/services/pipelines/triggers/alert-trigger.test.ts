import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../../shared/contract/monitoring';
import { EventBus } from '../../../../electron/services/events/event-bus';
import { AlertTrigger } from '../../../../electron/services/pipelines/triggers/alert-trigger';

const T0 = 1_700_000_000_000;

function alert(over: Partial<AlertEvent>): AlertEvent {
  return {
    id: 1,
    ruleId: 1,
    deployment: 'digits',
    name: 'dataset drift',
    metric: 'dataset_drift',
    state: 'pending',
    value: 1,
    threshold: 0.5,
    comparison: '>=',
    message: 'dataset drift >= 0.5',
    startedAt: T0 + 1000,
    firingAt: null,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: null,
    notifiedAt: null,
    notify: false,
    ...over,
  };
}

function watching(deployment = 'digits') {
  const bus = new EventBus();
  const fired: AlertEvent[] = [];
  const trigger = new AlertTrigger({ bus, deployment, onFire: (a) => fired.push(a), clock: () => T0 });
  trigger.start();
  return { bus, fired, trigger };
}

describe('alert trigger', () => {
  it('fires once when a drift alert of the deployment becomes firing, not on its later updates', () => {
    const { bus, fired } = watching();
    bus.publish('monitoring.alert', alert({ state: 'pending' }));
    expect(fired).toHaveLength(0);
    const firing = { state: 'firing' as const, firingAt: T0 + 5000 };
    bus.publish('monitoring.alert', alert({ ...firing, notify: true, notifiedAt: T0 + 5000 }));
    expect(fired.map((a) => a.id)).toEqual([1]);
    // Acknowledged, silenced, a new value: the same incident, still firing.
    bus.publish('monitoring.alert', alert({ ...firing, acknowledgedAt: T0 + 6000, acknowledgedBy: 'ana' }));
    bus.publish('monitoring.alert', alert({ ...firing, silencedUntil: T0 + 99_000 }));
    bus.publish('monitoring.alert', alert({ ...firing, value: 0.9 }));
    expect(fired).toHaveLength(1);
    // Resolved, then the rule's next incident fires: that is a new firing.
    bus.publish('monitoring.alert', alert({ ...firing, state: 'resolved', resolvedAt: T0 + 7000 }));
    bus.publish('monitoring.alert', alert({ id: 2, state: 'firing', firingAt: T0 + 9000 }));
    expect(fired.map((a) => a.id)).toEqual([1, 2]);
  });

  it('fires for a performance alert (and a silenced one), not for other deployments or for serving and data-quality alerts', () => {
    const { bus, fired } = watching();
    bus.publish('monitoring.alert', alert({ id: 3, deployment: 'other', state: 'firing', firingAt: T0 + 1 }));
    bus.publish('monitoring.alert', alert({ id: 4, metric: 'p95_ms', state: 'firing', firingAt: T0 + 1 }));
    bus.publish('monitoring.alert', alert({ id: 5, metric: 'quality_breaches', state: 'firing', firingAt: T0 + 1 }));
    expect(fired).toHaveLength(0);
    bus.publish('monitoring.alert', alert({ id: 6, metric: 'accuracy', comparison: '<', state: 'firing', firingAt: T0 + 1, silencedUntil: T0 + 50_000 }));
    expect(fired.map((a) => a.id)).toEqual([6]);
  });

  it('ignores an alert that was already firing before watching began (an acknowledgement of it is no transition)', () => {
    const { bus, fired } = watching();
    bus.publish('monitoring.alert', alert({ state: 'firing', firingAt: T0 - 60_000, acknowledgedAt: T0 + 10, acknowledgedBy: 'ana' }));
    expect(fired).toHaveLength(0);
  });

  it('stops listening when stopped', () => {
    const { bus, fired, trigger } = watching();
    trigger.stop();
    expect(bus.listenerCount('monitoring.alert')).toBe(0);
    bus.publish('monitoring.alert', alert({ state: 'firing', firingAt: T0 + 1 }));
    expect(fired).toHaveLength(0);
  });
});
