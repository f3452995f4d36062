import { useState } from 'react';
import type { ModelVersionDetail } from '../../../../shared/contract/registry';
import { ALIAS_NAME } from '../../../../shared/contract/registry';
import { useClient } from '../../api/client-context';
import { useAction } from '../../lib/use-action';
import { useActor } from './use-actor';

/** The version's aliases (champion, challenger, …): add, move here from another version, remove. */
export function AliasControls({ version, onChanged }: { version: ModelVersionDetail; onChanged(): void }) {
  const client = useClient();
  const actor = useActor();
  const [alias, setAlias] = useState('');
  const action = useAction();
  const { busy, error } = action;
  // The alias the last call was about, for "Move @alias here" after ALREADY_EXISTS.
  const [target, setTarget] = useState('');
  const localError =
    alias !== '' && (!ALIAS_NAME.test(alias) || alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias))
      ? "Letters, digits, '_' or '-'; 'latest' and 'v<number>' are reserved."
      : null;

  const run = (call: () => Promise<unknown>, name: string) => {
    setTarget(name);
    return action.run(async () => {
      await call();
      setAlias('');
      onChanged();
    });
  };

  const set = (move: boolean) => run(() => client.call('registry.setAlias', { name: version.name, alias, version: version.version, actor, move }), alias);
  const remove = (name: string) => run(() => client.call('registry.deleteAlias', { name: version.name, alias: name, actor }), name);

  return (
    <div className="alias-controls inline-form" data-testid="alias-controls">
      <div className="alias-list">
        {version.aliases.length === 0 && <span className="muted">No aliases.</span>}
        {version.aliases.map((a) => (
          <span key={a} className="alias-chip" data-testid="alias-chip">
            @{a}
            <button type="button" className="chip-remove" aria-label={`Remove alias ${a}`} disabled={busy} onClick={() => void remove(a)}>
              ✕
            </button>
          </span>
        ))}
      </div>
      <form
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          if (alias && !localError) void set(false);
        }}
      >
        <input aria-label="New alias" placeholder="champion" value={alias} onChange={(e) => (setAlias(e.target.value), action.clearError())} aria-invalid={Boolean(localError)} data-testid="alias-input" />
        <button type="submit" className="btn btn-small" disabled={busy || alias === '' || Boolean(localError)} data-testid="alias-add">
          Set alias
        </button>
      </form>
      {localError && <p className="field-error">{localError}</p>}
      {error && (
        <div className="field-error" role="alert" data-testid="alias-error">
          {error.message}
          {error.code === 'ALREADY_EXISTS' && (
            <button type="button" className="btn btn-small" onClick={() => void set(true)} disabled={busy} data-testid="alias-move">
              Move @{target} here
            </button>
          )}
        </div>
      )}
    </div>
  );
}
