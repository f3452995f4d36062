import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { usePolling } from '../../lib/use-polling';
import { AlertRulesCard } from '../alerts/AlertRulesCard';
import { DeploymentAlerts } from './DeploymentAlerts';
import { MonitorStatusCard } from './MonitorStatusCard';
import { MonitorWindows } from './MonitorWindows';
import { ReferenceFormCard } from './ReferenceFormCard';
import '../../styles/monitoring.css';

const POLL_MS = 3000;

/**
 * The deployment page's "Monitoring" section: a form to choose a reference when there is none;
 * else the monitor's state, the drift heatmap and what it leads to, and the alerts and rules.
 */
export function MonitoringSection({ deployment, url }: { deployment: string; url: string }) {
  const [replacing, setReplacing] = useState(false);
  const monitor = useLiveQuery((c) => c.call('monitoring.getMonitor', { deployment }), [deployment], {
    staleOn: { 'monitoring.monitor': (e) => e.deployment === deployment, 'monitoring.window': (e) => e.deployment === deployment },
    debounceMs: 150,
  });
  const m = monitor.data;
  // Rows collected and pending move with every request, which has no event of its own.
  usePolling(() => void monitor.reload(), POLL_MS, Boolean(m));

  return (
    <section className="monitoring-section" data-testid="monitoring-section" aria-labelledby="monitoring-title">
      <h2 id="monitoring-title" className="section-title">
        Monitoring
      </h2>
      {monitor.error && <ErrorNotice title="Could not read the monitor." error={monitor.error} onRetry={() => void monitor.reload()} />}
      {!monitor.answered && <p className="muted">Reading the monitor…</p>}
      {/* Not keyed on loading: a re-read (an event, the stream going live) would remount the form, losing what was typed. */}
      {monitor.answered && m === null && !monitor.error && (
        <div className="grid deployment-grid">
          {/* No data to patch while there is no monitor: read it again. */}
          <ReferenceFormCard deployment={deployment} onSet={() => void monitor.reload()} />
        </div>
      )}
      {m && replacing && (
        <div className="grid deployment-grid">
          <ReferenceFormCard
            deployment={deployment}
            replacing
            onCancel={() => setReplacing(false)}
            onSet={(next) => {
              setReplacing(false);
              monitor.setData(() => next);
            }}
          />
        </div>
      )}
      {m && !replacing && (
        <div className="grid deployment-grid">
          <MonitorStatusCard monitor={m} onChanged={(next) => monitor.setData(() => next)} onChangeReference={() => setReplacing(true)} />
          <MonitorWindows deployment={deployment} runMetrics={m.runMetrics} feedbackUrl={new URL('/feedback', url).toString()} />
          <DeploymentAlerts deployment={deployment} />
          <AlertRulesCard deployment={deployment} />
        </div>
      )}
    </section>
  );
}
