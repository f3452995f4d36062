import { useState } from 'react';
import type { ModelVersion } from '../../../../shared/contract/registry';
import { MODEL_NAME } from '../../../../shared/contract/registry';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { useAction } from '../../lib/use-action';
import { Field, TextField } from '../../components/Field';
import { useActor } from './use-actor';

/** Pull an Orrery model artifact from an OCI registry into the local registry. */
export function PullDialog({ onClose, onPulled }: { onClose(): void; onPulled(version: ModelVersion): void }) {
  const client = useClient();
  const actor = useActor();
  const [reference, setReference] = useState('');
  const [name, setName] = useState('');
  const { busy: pulling, error, run, clearError } = useAction();
  // A refusal is about what was typed: it goes once that is edited.
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    clearError();
  };
  const referenceError = reference.trim() === '' ? 'Give the reference to pull, like 127.0.0.1:5000/models/iris:v3.' : null;
  const nameError = name !== '' && !MODEL_NAME.test(name) ? "Letters, digits, '.', '_' or '-', starting with a letter or digit." : null;
  const [attempted, setAttempted] = useState(false);

  async function submit() {
    setAttempted(true);
    if (referenceError || nameError) return;
    await run(async () => {
      const version = await client.call('registry.pull', { reference: reference.trim(), actor, ...(name ? { name } : {}) });
      onPulled(version);
      onClose();
    });
  }

  return (
    <Dialog
      title="Pull a model from a registry"
      testId="pull-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submit={{ label: 'Pull', busyLabel: 'Pulling…', busy: pulling, testId: 'pull-submit' }}
    >
      <TextField
        label="Reference"
        error={attempted ? (referenceError ?? undefined) : undefined}
        hint="host[:port]/repository:tag or …@sha256:digest"
        testId="pull-reference"
        mono
        value={reference}
        onChange={edit(setReference)}
        input={{ placeholder: '127.0.0.1:5000/models/iris:v3', autoFocus: true }}
      />
      <Field label="Register as model" error={nameError ?? undefined} hint="Leave empty to use the name in the model card." testId="pull-name">
        {({ id, describedBy, invalid }) => (
          <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => edit(setName)(e.target.value)} />
        )}
      </Field>
      {error && (
        <p className="field-error" role="alert" data-testid="pull-error">
          {error.message}
        </p>
      )}
    </Dialog>
  );
}
