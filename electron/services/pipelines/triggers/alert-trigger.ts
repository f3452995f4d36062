import type { AlertEvent, AlertMetric } from '../../../../shared/contract/monitoring';
import type { EventBus } from '../../events/event-bus';

/**
 * The alert metrics that say the model itself went stale, which retraining can fix: drift of the
 * inputs or predictions, and labelled performance. Data-quality breaches (a broken feed) and
 * serving latency or errors (a sick container) are not retraining's to answer.
 */
export const RETRAIN_ALERT_METRICS: ReadonlySet<AlertMetric> = new Set<AlertMetric>([
  'dataset_drift',
  'drift_share',
  'column_drift',
  'prediction_drift',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'mae',
  'rmse',
  'r2',
]);

export interface AlertTriggerOptions {
  bus: EventBus;
  /** The deployment whose drift or performance alerts start the pipeline. */
  deployment: string;
  onFire: (alert: AlertEvent) => void;
  /** Same clock as monitoring's (ms since epoch): alerts that fired before watching began are not new. */
  clock?: () => number;
}

/**
 * Fires when a drift or performance alert of one deployment becomes firing. Monitoring publishes
 * every change of an alert (acknowledged, silenced, a new value), so an incident counts once: by
 * its id and the moment it started firing, and only if that moment came after watching began.
 */
export class AlertTrigger {
  private readonly clock: () => number;
  /** Incidents already fired for, by alert id: the `firingAt` of the firing that fired. */
  private readonly fired = new Map<number, number>();
  private since = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: AlertTriggerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.since = this.clock();
    this.unsubscribe = this.options.bus.subscribe('monitoring.alert', (alert) => this.seen(alert));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.fired.clear();
  }

  private seen(alert: AlertEvent): void {
    if (alert.deployment !== this.options.deployment || alert.metric === null || !RETRAIN_ALERT_METRICS.has(alert.metric)) return;
    if (alert.state !== 'firing') {
      if (alert.state === 'resolved') this.fired.delete(alert.id);
      return;
    }
    // A firing alert always has firingAt; without one, its id alone keeps it to one fire.
    const firingAt = alert.firingAt ?? 0;
    if ((alert.firingAt !== null && firingAt < this.since) || this.fired.get(alert.id) === firingAt) return;
    this.fired.set(alert.id, firingAt);
    this.options.onFire(alert);
  }
}
