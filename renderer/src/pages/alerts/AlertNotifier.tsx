import { useEffect } from 'react';
import { useClient } from '../../api/client-context';
import { notificationOf } from './alert-text';

/**
 * In headless mode, turns 'monitoring.alert' events marked `notify` into the browser's desktop
 * notifications when permission is granted. Mounted once, at the app's root, so an incident is told
 * once whichever page is open; clicking one opens the Alerts page. In the desktop app Electron's
 * main process shows them (electron/main/alert-notifications.ts), so the window stays quiet.
 */
export function AlertNotifier() {
  const client = useClient();
  useEffect(
    () =>
      client.on('monitoring.alert', (event) => {
        if ('orrery' in window) return;
        const note = notificationOf(event, Date.now());
        if (!note || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
        const shown = new Notification(note.title, { body: note.body, tag: note.tag });
        shown.onclick = () => {
          window.focus();
          window.location.hash = '#/alerts';
        };
      }),
    [client],
  );
  return null;
}
