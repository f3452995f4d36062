import { useState } from 'react';
import type { Deployment } from '../../../../shared/contract/serving';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { CopyableCode } from '../../components/CopyableCode';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Facts } from '../../components/Facts';
import { useLiveQuery } from '../../lib/use-live-query';
import { usePolling } from '../../lib/use-polling';
import { routeHref } from '../../routing/route';
import { MonitoringSection } from '../monitoring/MonitoringSection';
import { DeploymentControls } from './DeploymentControls';
import { DeploymentToken } from './DeploymentToken';
import { EventTimeline } from './EventTimeline';
import { RecentRequests } from './RecentRequests';
import { ReplicasTable } from './ReplicasTable';
import { RolloutPanel } from './RolloutPanel';
import { ServingCharts } from './ServingCharts';
import { StartRolloutDialog } from './StartRolloutDialog';
import { TrafficBar } from './TrafficBar';
import { TryIt } from './TryIt';
import { plural } from './serving-format';
import { statusTone } from './serving-tones';
import { curlExample } from './try-it-example';
import { useExampleBody } from './use-example-body';

const POLL_MS = 2000;

/** #/deployments/<name>: the URL, traffic, rollout, live charts, replicas, events, requests and a "try it" box. */
export function DeploymentPage({ name }: { name: string }) {
  const loaded = useLiveQuery((c) => c.call('serving.getDeployment', { name }), [name], {
    staleOn: { 'serving.deployment': (e) => e.name === name, 'serving.decision': (e) => e.deployment === name },
    debounceMs: 150,
  });
  const [rolling, setRolling] = useState(false);
  // Shown only once asked for; the curl example then carries it instead of <token>.
  const [token, setToken] = useState<string | null>(null);
  // The analysis moves with every batch of requests: read it again while the page is in view.
  usePolling(() => void loaded.reload(), POLL_MS);
  const d = loaded.data;
  const stopped = d?.status === 'stopped';
  const example = useExampleBody(d ?? { name, modelName: '', versions: [] });
  const onChanged = (next: Deployment) => loaded.setData(() => next);

  return (
    <div className="page deployment-page" data-testid="deployment-page" aria-busy={loaded.loading && d === null}>
      <nav className="breadcrumbs">
        <a className="crumb" href={routeHref('deployments')}>
          Deployments
        </a>
      </nav>
      {loaded.error && <ErrorNotice title={`Could not read deployment ${name}.`} error={loaded.error} onRetry={() => void loaded.reload()} />}
      {d === null && !loaded.error && <p className="muted">Reading {name}…</p>}
      {d && (
        <>
          <header className="page-head">
            <h1 data-testid="deployment-title">{d.name}</h1>
            <Badge tone={statusTone[d.status]} testId="deployment-status">
              {d.status}
            </Badge>
            {d.unapproved && (
              <span title="A version that serves here is not approved in the registry.">
                <Badge tone="warn" testId="deployment-unapproved">
                  unapproved
                </Badge>
              </span>
            )}
            <span className="spacer" />
            <DeploymentControls deployment={d} onChanged={onChanged} />
          </header>
          {d.reason && (
            <p className={`notice ${d.status === 'failed' ? 'notice-error' : 'notice-warn'}`} data-testid="deployment-reason">
              {d.reason}
            </p>
          )}
          <div className="grid deployment-grid">
            <Card title="Stable URL" testId="deployment-url" className="deploy-span-2">
              <CopyableCode code={d.url} label="Copy URL" />
              <p className="muted small" data-testid="deployment-url-note">
                {stopped
                  ? 'Stopped: the URL answers 503 until you start it.'
                  : `Existing MLflow clients call it unchanged. It answers while Orrery is open${d.settings.requireToken ? '; every request needs the header Authorization: Bearer <token>' : ''}.`}
              </p>
              <CopyableCode code={curlExample(d, example, token)} />
              {d.settings.requireToken && <DeploymentToken name={d.name} token={token} onToken={setToken} />}
            </Card>
            <Card title="Traffic" testId="deployment-traffic">
              <TrafficBar versions={d.versions} stopped={stopped} />
              <Facts
                rows={[
                  ['Model', <a href={routeHref('models', [d.modelName])}>{d.modelName}</a>],
                  ['Versions', d.versions.map((v) => <a key={v.version} className="version-link" href={routeHref('models', [d.modelName, String(v.version)])}>v{v.version}{v.requestedAs.startsWith('@') ? ` (${v.requestedAs})` : ''}</a>)],
                  ['Replicas', `${plural(d.settings.replicas, 'replica')} × ${d.settings.cpus} CPU, ${d.settings.memoryGb} GB${d.settings.gpus ? `, ${plural(d.settings.gpus, 'GPU')}` : ''}${stopped ? ' (stopped)' : ''}`],
                  ['Image', <code>{d.settings.image}</code>],
                  ['Settings', describeSettings(d)],
                ]}
              />
            </Card>
            <RolloutPanel deployment={d} onChanged={onChanged} onStart={() => setRolling(true)} />
            <ServingCharts name={d.name} versions={d.versions} stopped={stopped} />
            <TryIt deployment={d} example={example} />
            <EventTimeline name={d.name} />
            <ReplicasTable versions={d.versions} />
            <RecentRequests name={d.name} logging={d.settings.logRequests} />
          </div>
          <MonitoringSection deployment={d.name} url={d.url} />
          {rolling && <StartRolloutDialog deployment={d} onClose={() => setRolling(false)} onStarted={onChanged} />}
        </>
      )}
    </div>
  );
}

function describeSettings(d: Deployment): string {
  const parts = [`timeout ${d.settings.timeoutSeconds} s`, `body ≤ ${d.settings.maxBodyMb} MB`];
  if (d.settings.requireApproval) parts.push('approved versions only');
  if (d.settings.requireToken) parts.push('token required');
  parts.push(d.settings.logRequests ? 'requests logged' : 'requests not logged');
  if (d.settings.promoteAlias) parts.push(`promotes @${d.settings.promoteAlias}`);
  return parts.join(' · ');
}
