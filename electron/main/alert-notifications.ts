import { notificationOf } from '../../shared/alert-notification';
import type { EventBus } from '../services/events/event-bus';

/** Electron's Notification, as far as this file uses it (tests pass a stand-in). */
export interface NativeNotifications {
  isSupported(): boolean;
  show(note: { title: string; body: string }, onClick: () => void): void;
}

/**
 * In the desktop app a firing alert is an OS notification shown by the main process (Electron's
 * Notification), whether or not the window is open; clicking it brings the window to the Alerts
 * page. So is a pipeline stage waiting for approval (clicking opens its run). The browser page of
 * headless mode uses the browser's Notification API instead.
 */
export function showAlertNotifications(bus: EventBus, native: NativeNotifications, open: (hash: string) => void, now: () => number = Date.now): () => void {
  const offAlerts = bus.subscribe('monitoring.alert', (event) => {
    const note = notificationOf(event, now());
    if (!note || !native.isSupported()) return;
    native.show({ title: note.title, body: note.body }, () => open('#/alerts'));
  });
  const offPipelines = bus.subscribe('pipelines.run', (event) => {
    if (!event.notice || !native.isSupported()) return;
    native.show(event.notice, () => open(`#/pipeline-runs/${encodeURIComponent(event.runId)}`));
  });
  return () => {
    offAlerts();
    offPipelines();
  };
}
