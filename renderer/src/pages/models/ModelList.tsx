import { useState } from 'react';
import { Badge } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { formatWhen } from './model-format';
import { PullDialog } from './PullDialog';
import { RegisterModelDialog } from './RegisterModelDialog';
import { registryStale } from './registry-stale';

/** Every registered model with its latest and Production versions and aliases. */
export function ModelList() {
  const models = useLiveQuery((client) => client.call('registry.listModels', {}), [], registryStale());
  const [dialog, setDialog] = useState<'pull' | 'register' | null>(null);

  return (
    <div className="page models-page" data-testid="models-page" aria-busy={models.loading}>
      <header className="page-head">
        <h1>Models</h1>
        <div className="actions">
          <button type="button" className="btn" onClick={() => setDialog('register')} data-testid="register-folder">
            Register from folder
          </button>
          <button type="button" className="btn" onClick={() => setDialog('pull')} data-testid="pull-model">
            Pull from registry
          </button>
        </div>
      </header>
      {models.error && <ErrorNotice title="Could not read the registry." error={models.error} onRetry={models.reload} />}
      {models.data && models.data.length === 0 && (
        <div className="notice" data-testid="models-empty">
          <p>
            <strong>No models yet.</strong> Open a run and choose <em>Register model</em> to make its artifacts a versioned model, register a
            folder from this machine, or pull a model another team pushed to an OCI registry.
          </p>
        </div>
      )}
      {models.data && models.data.length > 0 && (
        <table className="exp-table models-table" data-testid="models-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Versions</th>
              <th>Latest</th>
              <th>Production</th>
              <th>Aliases</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {models.data.map((m) => (
              <tr key={m.name} data-testid="model-row">
                <td>
                  <a href={routeHref('models', [m.name])} className="model-link">
                    {m.name}
                  </a>
                  {m.description && <div className="muted wrap">{m.description}</div>}
                </td>
                <td>{m.versionCount}</td>
                <td>{m.latestVersion === null ? '—' : <a href={routeHref('models', [m.name, String(m.latestVersion)])}>v{m.latestVersion}</a>}</td>
                <td>
                  {m.productionVersion === null ? (
                    <span className="muted">none</span>
                  ) : (
                    <a href={routeHref('models', [m.name, String(m.productionVersion)])}>
                      <Badge tone="ok">v{m.productionVersion}</Badge>
                    </a>
                  )}
                </td>
                <td>
                  {Object.entries(m.aliases).map(([alias, v]) => (
                    <span key={alias} className="alias-chip">
                      @{alias} → v{v}
                    </span>
                  ))}
                </td>
                <td className="muted">{formatWhen(m.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog === 'pull' && (
        <PullDialog
          onClose={() => setDialog(null)}
          onPulled={(v) => navigate(routeHref('models', [v.name, String(v.version)]))}
        />
      )}
      {dialog === 'register' && (
        <RegisterModelDialog
          source={{ type: 'folder' }}
          onClose={() => setDialog(null)}
          onRegistered={(v) => navigate(routeHref('models', [v.name, String(v.version)]))}
        />
      )}
    </div>
  );
}
