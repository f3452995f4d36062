import { useEffect } from 'react';
import { useClient } from '../../api/client-context';
import { notificationOf } from './alert-text';

/**
 * In headless mode, turns 'monitoring.alert' events marked `notify`, and pipeline stages waiting for
 * approval, into the browser's desktop notifications when permission is granted. Mounted once, at the app's root, so an incident is told
 * once whichever page is open; clicking one opens the Alerts page. In the desktop app Electron's
 * main process shows them (electron/main/alert-notifications.ts), so the window stays quiet.
 */
export function AlertNotifier() {
  const client = useClient();
  useEffect(() => {
    const offAlerts = client.on('monitoring.alert', (event) => {
      const note = notificationOf(event, Date.now());
      if (note) notify(note, '#/alerts');
    });
    // A pipeline stage waiting for approval holds its run until someone acts.
    const offPipelines = client.on('pipelines.run', (event) => {
      if (event.notice) notify({ ...event.notice, tag: `orrery-pipeline-${event.runId}-${event.stage ?? ''}` }, `#/pipeline-runs/${encodeURIComponent(event.runId)}`);
    });
    return () => {
      offAlerts();
      offPipelines();
    };
  }, [client]);
  return null;
}

function notify(note: { title: string; body: string; tag: string }, hash: string): void {
  if ('orrery' in window || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const shown = new Notification(note.title, { body: note.body, tag: note.tag });
  shown.onclick = () => {
    window.focus();
    window.location.hash = hash;
  };
}
