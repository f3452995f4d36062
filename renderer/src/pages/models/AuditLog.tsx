import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { formatWhen } from './model-format';
import { registryStale } from './registry-stale';

/** The model's audit log, newest first: every registration, stage move, alias, gate change, review and push. */
export function AuditLog({ name }: { name: string }) {
  const audit = useLiveQuery((client) => client.call('registry.listAudit', { name, limit: 200 }), [name], registryStale(name));
  return (
    <Card title="Audit log" testId="audit-log" className="card-wide">
      {audit.error && <ErrorNotice title="Could not read the audit log." error={audit.error} onRetry={audit.reload} />}
      {audit.data && (
        <div className="kv-scroll">
          <table className="kv audit-table">
            <tbody>
              {audit.data.map((a) => (
                <tr key={a.id} data-testid="audit-entry">
                  <th scope="row">{formatWhen(a.at)}</th>
                  <td className="nowrap">{a.actor}</td>
                  <td className="nowrap">
                    {a.action}
                    {a.version !== null ? ` v${a.version}` : ''}
                  </td>
                  <td className="wrap">{summarize(a.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function summarize(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== '' && v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}
