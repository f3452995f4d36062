import type { AlertEvent } from './contract/monitoring';

/** A desktop notification's words. */
export interface AlertNotification {
  title: string;
  body: string;
  /** One per incident: a later notification of the same incident replaces the earlier one. */
  tag: string;
}

/**
 * The desktop notification for an alert event: only when the app says this incident should be told
 * (`notify`, once per incident), never for a silenced one. The Electron shell and the browser page
 * both show what this returns, each through its own Notification API.
 */
export function notificationOf(event: AlertEvent, now: number): AlertNotification | null {
  if (!event.notify) return null;
  if (event.silencedUntil !== null && event.silencedUntil > now) return null;
  const tag = `orrery-alert-${event.id}`;
  if (event.pipeline) return { title: `Pipeline ${event.pipeline.name} ${event.state === 'resolved' ? 'recovered' : 'failed'}`, body: event.message, tag };
  const verb = event.state === 'resolved' ? 'resolved' : event.state === 'firing' ? 'firing' : 'pending';
  return { title: `${event.deployment}: ${event.name} ${verb}`, body: event.message, tag };
}
