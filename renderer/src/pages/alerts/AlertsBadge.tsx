import { useLiveQuery } from '../../lib/use-live-query';
import { attentionCount } from './alert-order';

/** The Alerts navigation item's count: firing alerts nobody has acknowledged. Quiet when it cannot be read. */
export function AlertsBadge() {
  const firing = useLiveQuery((c) => c.call('monitoring.listAlerts', { state: 'firing', limit: 1000 }), [], { staleOn: { 'monitoring.alert': true } });
  const count = attentionCount(firing.data ?? []);
  if (count === 0) return null;
  return (
    <span className="nav-badge" data-testid="alerts-badge" aria-label={`${count} firing, not acknowledged`}>
      {count > 99 ? '99+' : count}
    </span>
  );
}
