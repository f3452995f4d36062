import { describe, expect, it } from 'vitest';
import { appEvents, eventTopics, isEventTopic, RESYNC_TOPIC, type AppEventMap } from '../../shared/contract/index';

describe('event topics come from the one event table', () => {
  it('lists every topic of the table, and only those', () => {
    expect([...eventTopics].sort()).toEqual(Object.keys(appEvents).sort());
    for (const topic of eventTopics) expect(isEventTopic(topic)).toBe(true);
    expect(isEventTopic('tracking.nope')).toBe(false);
    // resync is the transport's signal: a client may not subscribe to it at the app.
    expect(isEventTopic(RESYNC_TOPIC)).toBe(false);
  });

  it('each topic is the table key its payload type is read from', () => {
    // A compile-time check as much as a run-time one: a topic missing from the table is not a key of the map.
    const topics: Array<keyof AppEventMap> = ['hardware.sample', 'tracking.run', 'tracking.metrics', 'tracking.artifact', 'tracking.experiment', 'training.job', 'training.log', 'registry.version', 'registry.pushProgress', 'registry.audit', 'remotes.changed', 'serving.deployment', 'serving.decision', 'serving.log', 'monitoring.window', 'monitoring.alert', 'monitoring.monitor', 'pipelines.run', 'pipelines.triggers'];
    expect([...topics].sort()).toEqual([...eventTopics].sort());
    for (const topic of eventTopics) expect(appEvents[topic].description.length).toBeGreaterThan(10);
  });
});
