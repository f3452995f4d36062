import { useEffect, useId, useState } from 'react';
import type { ModelVersion } from '../../../../shared/contract/registry';
import { MODEL_NAME } from '../../../../shared/contract/registry';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { toLoadError } from '../../stores/load-error';
import { Field } from '../../components/Field';
import { parseParents } from './parent-versions';
import { useActor } from './use-actor';

export type RegisterSource = { type: 'run'; runId: string; runName?: string } | { type: 'folder' };

interface RegisterModelDialogProps {
  source: RegisterSource;
  onClose(): void;
  onRegistered(version: ModelVersion): void;
}

/** Register a new model version from a run's artifacts (a folder within them) or a local folder. */
export function RegisterModelDialog({ source, onClose, onRegistered }: RegisterModelDialogProps) {
  const client = useClient();
  const actor = useActor();
  const listId = useId();
  const foldersId = useId();
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [description, setDescription] = useState('');
  const [parentsText, setParentsText] = useState('');
  const [models, setModels] = useState<string[]>([]);
  const [folders, setFolders] = useState<string[]>([]);
  const [attempted, setAttempted] = useState(false);
  const [error, setError] = useState<{ field: 'name' | 'path' | null; message: string } | null>(null);
  const [saving, setSaving] = useState(false);

  // A refusal from the app is about what was typed: it goes once that is edited.
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setError(null);
  };
  const runId = source.type === 'run' ? source.runId : null;
  useEffect(() => {
    let live = true;
    client.call('registry.listModels', {}).then(
      (list) => live && setModels(list.map((m) => m.name)),
      () => undefined,
    );
    if (runId !== null) {
      client.call('tracking.listArtifacts', { runId, path: '' }).then(
        (entries) => {
          if (!live) return;
          const dirs = entries.filter((e) => e.isDir).map((e) => e.path);
          setFolders(dirs);
          // MLflow logs models under "model" by convention: start there when it exists.
          const guess = dirs.find((d) => d === 'model') ?? dirs.find((d) => /model/i.test(d));
          if (guess) setPath((p) => p || guess);
        },
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
  }, [client, runId]);

  const nameError = name === '' ? 'Name the model (new or existing).' : !MODEL_NAME.test(name) ? "Letters, digits, '.', '_' or '-', starting with a letter or digit." : null;
  const parents = parseParents(parentsText);
  const parentsError = 'error' in parents ? parents.error : null;
  const pathError = source.type === 'folder' && path.trim() === '' ? 'Give the absolute path of a folder on this machine.' : null;

  async function submit() {
    setAttempted(true);
    if (nameError || pathError || 'error' in parents) return;
    const parentVersions = parents.list;
    setSaving(true);
    setError(null);
    try {
      const version =
        source.type === 'run'
          ? await client.call('registry.registerFromRun', { runId: source.runId, path: path.trim(), name, description, actor, parentVersions })
          : await client.call('registry.registerFromFolder', { folder: path.trim(), name, description, actor, parentVersions });
      onRegistered(version);
      onClose();
    } catch (err) {
      const { message } = toLoadError(err);
      setError({ field: /^name\b/.test(message) ? 'name' : /artifact|folder|path/i.test(message) ? 'path' : null, message });
    } finally {
      setSaving(false);
    }
  }

  const shownNameError = (attempted ? nameError : null) ?? (error?.field === 'name' ? error.message : null);
  const shownPathError = (attempted ? pathError : null) ?? (error?.field === 'path' ? error.message : null);
  const title = source.type === 'run' ? `Register a model from ${source.runName || 'this run'}` : 'Register a model from a folder';

  return (
    <Dialog
      title={title}
      testId="register-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submit={{ label: 'Register', busyLabel: 'Registering…', busy: saving, testId: 'register-submit' }}
    >
      <Field label="Model name" error={shownNameError ?? undefined} hint="An existing model gets its next version." testId="register-name">
        {({ id, describedBy, invalid }) => (
          <>
            <input id={id} list={listId} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => edit(setName)(e.target.value)} autoFocus />
            <datalist id={listId}>
              {models.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field
        label={source.type === 'run' ? 'Folder within the artifacts' : 'Folder on this machine'}
        error={shownPathError ?? undefined}
        hint={source.type === 'run' ? 'Empty registers every artifact of the run.' : 'Its files are copied; later changes to it do not touch the version.'}
        testId="register-path"
      >
        {({ id, describedBy, invalid }) => (
          <>
            <input
              id={id}
              className="mono"
              list={source.type === 'run' ? foldersId : undefined}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={path}
              onChange={(e) => edit(setPath)(e.target.value)}
              placeholder={source.type === 'run' ? 'model' : '/home/me/models/iris'}
            />
            {source.type === 'run' && (
              <datalist id={foldersId}>
                {folders.map((f) => (
                  <option key={f} value={f} />
                ))}
              </datalist>
            )}
          </>
        )}
      </Field>
      <Field
        label="Fine-tuned from"
        error={parentsError ?? undefined}
        hint="Optional: the parent model versions, as name:version, comma-separated (resnet-base:3)."
        testId="register-parents"
      >
        {({ id, describedBy, invalid }) => (
          <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={parentsText} onChange={(e) => edit(setParentsText)(e.target.value)} />
        )}
      </Field>
      <Field label="Description" testId="register-description">
        {({ id }) => <input id={id} value={description} onChange={(e) => edit(setDescription)(e.target.value)} />}
      </Field>
      {error && error.field === null && (
        <p className="field-error" role="alert" data-testid="register-error">
          {error.message}
        </p>
      )}
    </Dialog>
  );
}
