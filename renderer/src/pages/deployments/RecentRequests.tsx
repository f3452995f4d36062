import { useState } from 'react';
import type { RequestLogEntry } from '../../../../shared/contract/serving';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { usePolling } from '../../lib/use-polling';
import { formatClock, formatMs, previewJson } from './serving-format';

const POLL_MS = 2000;

/** The newest logged requests with their inputs and predictions; a row opens to show them whole. */
export function RecentRequests({ name, logging }: { name: string; logging: boolean }) {
  const requests = useLiveQuery((c) => c.call('serving.listRequests', { name, limit: 50 }), [name]);
  const [open, setOpen] = useState<number | null>(null);
  usePolling(() => void requests.reload(), POLL_MS, logging);
  const list = requests.data ?? [];
  return (
    <Card title="Recent requests" testId="recent-requests" className="deploy-span-all">
      {!logging && <p className="muted">Request logging is off for this deployment.</p>}
      {requests.error && <ErrorNotice title="Could not read the request log." error={requests.error} onRetry={() => void requests.reload()} />}
      {logging && requests.data && list.length === 0 && <p className="muted">No requests yet. Send one with “Try it” or through the URL.</p>}
      {list.length > 0 && (
        <div className="table-scroll">
          <table className="jobs-table requests-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Latency</th>
                <th scope="col">Inputs</th>
                <th scope="col">Predictions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <RequestRow key={r.id} entry={r} open={open === r.id} onToggle={() => setOpen(open === r.id ? null : r.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function RequestRow({ entry: r, open, onToggle }: { entry: RequestLogEntry; open: boolean; onToggle(): void }) {
  const tone = r.status >= 500 || r.modelError ? 'bad' : r.status >= 400 ? 'warn' : 'ok';
  return (
    <>
      <tr data-testid="request-row" data-status={r.status} className="request-row" onClick={onToggle} aria-expanded={open}>
        <td className="mono small nowrap">{formatClock(r.at)}</td>
        <td>v{r.version}</td>
        <td>
          <Badge tone={tone}>{r.modelError ? `${r.status} model error` : r.status}</Badge>
        </td>
        <td className="num nowrap">{formatMs(r.latencyMs)}</td>
        <td className="mono small">
          {previewJson(r.inputs, 80)}
          {r.truncated && (
            <span className="muted" data-testid="request-truncated">
              {' '}
              (first rows of {r.rowCount})
            </span>
          )}
        </td>
        <td className="mono small">{previewJson(r.predictions, 60)}</td>
      </tr>
      {open && (
        <tr className="request-detail">
          <td colSpan={6}>
            <div className="muted small">
              request {r.requestId} · replica {r.replicaId} · {r.rowCount} rows{r.truncated ? ' (cut: only the first rows were logged)' : ''}
            </div>
            <div className="request-detail-grid">
              <pre className="plain-output">{JSON.stringify(r.inputs, null, 2)}</pre>
              <pre className="plain-output">{JSON.stringify(r.predictions, null, 2)}</pre>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
