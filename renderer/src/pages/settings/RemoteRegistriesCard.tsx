import { useState } from 'react';
import type { RemoteRegistry } from '../../../../shared/contract/remotes';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { toLoadError } from '../../stores/load-error';
import { Field, TextField } from '../../components/Field';

interface Draft {
  name: string;
  url: string;
  repositoryPrefix: string;
  /** Set when editing an existing remote: its name can't change. */
  existing: boolean;
}

const blank: Draft = { name: '', url: '', repositoryPrefix: '', existing: false };

/** The team's OCI registries that models are pushed to: name, URL, repository prefix. */
export function RemoteRegistriesCard() {
  const client = useClient();
  const remotes = useLiveQuery((c) => c.call('remotes.list', {}), [], { staleOn: { 'remotes.changed': () => true } });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<{ field: 'name' | 'url' | 'repositoryPrefix' | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function save() {
    if (!draft) return;
    setBusy(true);
    setError(null);
    try {
      await client.call('remotes.save', { name: draft.name.trim(), url: draft.url.trim(), repositoryPrefix: draft.repositoryPrefix.trim() });
      setDraft(null);
      remotes.reload();
    } catch (err) {
      const { message } = toLoadError(err);
      const field = /\bname\b/.test(message) ? 'name' : /repositoryPrefix/.test(message) ? 'repositoryPrefix' : /\burl\b/.test(message) ? 'url' : null;
      setError({ field, message: message.replace(/^Invalid input for remotes\.save: /, '').replace(/^(url|name|repositoryPrefix): /, '') });
    } finally {
      setBusy(false);
    }
  }

  async function remove(r: RemoteRegistry) {
    setBusy(true);
    try {
      await client.call('remotes.delete', { name: r.name });
      remotes.reload();
    } catch (err) {
      setError({ field: null, message: toLoadError(err).message });
    } finally {
      setBusy(false);
    }
  }

  const edit = (d: Draft) => {
    setDraft(d);
    setError(null);
  };

  return (
    <Card
      title="Remote registries"
      testId="remote-registries"
      className="card-wide"
      aside={
        draft === null && (
          <button type="button" className="btn btn-small" onClick={() => edit(blank)} data-testid="add-remote">
            Add registry
          </button>
        )
      }
    >
      <p className="muted">
        Approved model versions are pushed here as OCI artifacts (Docker Hub, GHCR, Harbor, a self-hosted registry). Credentials come from{' '}
        <code>~/.docker/config.json</code>: run <code>docker login HOST</code> once. Plain HTTP is allowed for localhost only.
      </p>
      {remotes.error && <ErrorNotice title="Could not read the remote registries." error={remotes.error} onRetry={remotes.reload} />}
      {remotes.data && remotes.data.length > 0 && (
        <table className="kv remotes-table" data-testid="remotes-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>URL</th>
              <th>Repository prefix</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {remotes.data.map((r) => (
              <tr key={r.name} data-testid="remote-row">
                <th scope="row">{r.name}</th>
                <td>{r.url}</td>
                <td>{r.repositoryPrefix || <span className="muted">none</span>}</td>
                <td className="row-actions">
                  <button type="button" className="btn btn-small" onClick={() => edit({ name: r.name, url: r.url, repositoryPrefix: r.repositoryPrefix, existing: true })}>
                    Edit
                  </button>
                  <button type="button" className="btn btn-small" disabled={busy} onClick={() => void remove(r)} aria-label={`Remove ${r.name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {remotes.data?.length === 0 && draft === null && <p className="muted">None yet.</p>}
      {draft && (
        <form
          className="remote-form inline-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          data-testid="remote-form"
        >
          <div className="field-grid">
            <Field label="Name" error={error?.field === 'name' ? error.message : undefined} hint="Short, lowercase: team, ghcr" testId="remote-name">
              {({ id, describedBy, invalid }) => (
                <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={draft.name} disabled={draft.existing} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
              )}
            </Field>
            <Field label="URL" error={error?.field === 'url' ? error.message : undefined} hint="https://ghcr.io, http://localhost:5000" testId="remote-url">
              {({ id, describedBy, invalid }) => (
                <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={draft.url} onChange={(e) => setDraft({ ...draft, url: e.target.value })} />
              )}
            </Field>
            <TextField
              label="Repository prefix"
              error={error?.field === 'repositoryPrefix' ? error.message : undefined}
              hint="Models go to <prefix>/<model>:<tag>, e.g. acme/models"
              testId="remote-prefix"
              mono
              value={draft.repositoryPrefix}
              onChange={(repositoryPrefix) => setDraft({ ...draft, repositoryPrefix })}
            />
          </div>
          {error?.field === null && (
            <p className="field-error" role="alert">
              {error.message}
            </p>
          )}
          <div className="actions">
            <button type="button" className="btn" onClick={() => (setDraft(null), setError(null))}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save-remote">
              Save
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
