import { useEffect, useState } from 'react';
import type { ModelVersionDetail, RegistryPushResult } from '../../../../shared/contract/registry';
import type { RemoteRegistry } from '../../../../shared/contract/remotes';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { formatBytes } from '../../lib/format';
import { routeHref } from '../../routing/route';
import { toLoadError, type LoadError } from '../../stores/load-error';
import { Field, TextField } from '../../components/Field';
import { repositoryName, shortDigest } from './model-format';
import { useActor } from './use-actor';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

interface BlobProgress {
  sent: number;
  total: number;
}

/** Push an approved version to a configured remote (or any reference), with per-blob progress. */
export function PushDialog({ version, onClose, onPushed }: { version: ModelVersionDetail; onClose(): void; onPushed(): void }) {
  const client = useClient();
  const actor = useActor();
  const [remotes, setRemotes] = useState<RemoteRegistry[] | null>(null);
  const [target, setTarget] = useState<string>('');
  const [tag, setTag] = useState(`v${version.version}`);
  const [reference, setReference] = useState('');
  const [progress, setProgress] = useState<Record<string, BlobProgress>>({});
  const [pushing, setPushing] = useState(false);
  const [result, setResult] = useState<RegistryPushResult | null>(null);
  const [error, setError] = useState<LoadError | null>(null);
  const [attempted, setAttempted] = useState(false);

  useEffect(() => {
    let live = true;
    client.call('remotes.list', {}).then(
      (list) => {
        if (!live) return;
        setRemotes(list);
        setTarget(list[0]?.name ?? 'reference');
      },
      () => live && (setRemotes([]), setTarget('reference')),
    );
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(
    () =>
      client.on('registry.pushProgress', (e) => {
        if (e.name !== version.name || e.version !== version.version) return;
        setProgress((p) => ({ ...p, [e.digest]: { sent: e.sent, total: e.total } }));
      }),
    [client, version.name, version.version],
  );

  // Once pushed, the fields say what was pushed: they cannot be edited into another reference.
  const locked = pushing || result !== null;
  // A refusal is about what was typed: it goes once that is edited.
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setError(null);
  };
  const remote = remotes?.find((r) => r.name === target) ?? null;
  const tagError = remote && !TAG.test(tag) ? "A tag is letters, digits, '_', '.' or '-' (at most 128), not starting with '.' or '-'." : null;
  const referenceError = !remote && reference.trim() === '' ? 'Give a reference like registry.example.com/team/iris:v3.' : null;
  const preview = remote ? `${remote.host}/${[remote.repositoryPrefix, repositoryName(version.name)].filter(Boolean).join('/')}:${tag}` : reference.trim();
  const fileOf = new Map(version.files.map((f) => [`sha256:${f.sha256}`, f.path]));

  async function push() {
    setAttempted(true);
    if (tagError || referenceError) return;
    setPushing(true);
    setError(null);
    setResult(null);
    setProgress({});
    try {
      const input = remote
        ? { name: version.name, version: version.version, remote: remote.name, tag, actor }
        : { name: version.name, version: version.version, reference: reference.trim(), actor };
      setResult(await client.call('registry.push', input));
      onPushed();
    } catch (err) {
      setError(toLoadError(err));
    } finally {
      setPushing(false);
    }
  }

  return (
    <Dialog
      title={`Push ${version.name} v${version.version}`}
      testId="push-dialog"
      onClose={onClose}
      onSubmit={() => void push()}
      submit={{ label: error ? 'Push again' : 'Push', busyLabel: 'Pushing…', busy: pushing, testId: 'push-submit' }}
      footer={
        result && (
          <button type="button" className="btn" onClick={onClose}>
            Done
          </button>
        )
      }
    >
      <Field label="Registry" testId="push-target">
        {({ id }) => (
          <select id={id} value={target} onChange={(e) => edit(setTarget)(e.target.value)} disabled={locked}>
            {(remotes ?? []).map((r) => (
              <option key={r.name} value={r.name}>
                {r.name} — {r.url}
                {r.repositoryPrefix ? `/${r.repositoryPrefix}` : ''}
              </option>
            ))}
            <option value="reference">Another reference…</option>
          </select>
        )}
      </Field>
      {remotes?.length === 0 && (
        <p className="field-hint">
          No remote registries yet: add your team's in <a href={routeHref('settings')}>Settings</a>, or type a reference.
        </p>
      )}
      {remote ? (
        <Field label="Tag" error={attempted ? (tagError ?? undefined) : undefined} testId="push-tag">
          {({ id, describedBy, invalid }) => (
            <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={tag} onChange={(e) => edit(setTag)(e.target.value)} disabled={locked} />
          )}
        </Field>
      ) : (
        <TextField
          label="Reference"
          error={attempted ? (referenceError ?? undefined) : undefined}
          hint="host[:port]/repository:tag; plain HTTP only for localhost"
          testId="push-reference"
          mono
          value={reference}
          onChange={edit(setReference)}
          input={{ placeholder: `registry.example.com/models/${repositoryName(version.name)}:v${version.version}`, disabled: locked }}
        />
      )}
      {preview && !result && (
        <p className="muted">
          Pushes to <code data-testid="push-preview">{preview}</code> as an Orrery model artifact ({version.files.length} file{version.files.length === 1 ? '' : 's'},{' '}
          {formatBytes(version.totalSize)}). Credentials come from ~/.docker/config.json (docker login).
        </p>
      )}
      {Object.keys(progress).length > 0 && (
        <ul className="plain-list push-progress" data-testid="push-progress">
          {Object.entries(progress).map(([digest, p]) => (
            <li key={digest}>
              <span className="mono">{fileOf.get(digest) ?? `model card ${shortDigest(digest)}`}</span>
              <progress max={Math.max(p.total, 1)} value={p.sent} />
              <span className="muted">
                {formatBytes(p.sent)} / {formatBytes(p.total)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {result && (
        <div className="notice push-result" data-testid="push-result">
          <p>
            <strong>Pushed.</strong> <code className="wrap">{result.reference}</code>
          </p>
          <p className="muted">
            {result.uploaded} blob{result.uploaded === 1 ? '' : 's'} uploaded, {result.skipped} already on the registry.
          </p>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert" data-testid="push-error">
          {error.message}
          {error.code === 'UNAVAILABLE' && ' Pushing again resumes where it stopped.'}
        </p>
      )}
    </Dialog>
  );
}
