import type { AlertState, AlertView } from '../../../../shared/contract/monitoring';

const stateRank: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2 };

/** A firing alert nobody has acknowledged yet: what the navigation badge counts. */
export function needsAttention(alert: Pick<AlertView, 'state' | 'acknowledgedAt'>): boolean {
  return alert.state === 'firing' && alert.acknowledgedAt === null;
}

export function attentionCount(alerts: readonly Pick<AlertView, 'state' | 'acknowledgedAt'>[]): number {
  return alerts.filter(needsAttention).length;
}

/** When the alert last moved: resolved, else firing, else started. */
export function lastChangeAt(alert: Pick<AlertView, 'startedAt' | 'firingAt' | 'resolvedAt'>): number {
  return alert.resolvedAt ?? alert.firingAt ?? alert.startedAt;
}

/**
 * The inbox order: firing first (those not yet acknowledged at the very top), then pending, then
 * resolved; newest first within each.
 */
export function sortInbox<A extends AlertView>(alerts: readonly A[]): A[] {
  return [...alerts].sort((a, b) => {
    const byState = stateRank[a.state] - stateRank[b.state];
    if (byState !== 0) return byState;
    const byAttention = Number(needsAttention(b)) - Number(needsAttention(a));
    if (byAttention !== 0) return byAttention;
    return lastChangeAt(b) - lastChangeAt(a) || b.id - a.id;
  });
}

/** True while a silence is in force. */
export function isSilenced(alert: Pick<AlertView, 'silencedUntil'>, now: number): boolean {
  return alert.silencedUntil !== null && alert.silencedUntil > now;
}
