import { useState, type FormEvent } from 'react';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { useAction } from '../../lib/use-action';
import { isSystemTag, parseTagText, TAG_FORM } from '../../lib/tag-text';
import '../../styles/experiments.css';

interface RunTagsProps {
  runId: string;
  tags: Record<string, string>;
  /** A deleted run is read-only: the app refuses tag changes on it. */
  editable: boolean;
  /** After a change, so the page reads the run again at once (the run event would, a moment later). */
  onChanged(): void;
}

/** The run's own tags: add one as key=value, change a value in place, remove one; system tags listed apart. */
export function RunTags({ runId, tags, editable, onChanged }: RunTagsProps) {
  const client = useClient();
  const action = useAction();
  const [adding, setAdding] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ key: string; value: string } | null>(null);
  const entries = Object.entries(tags).sort(([a], [b]) => a.localeCompare(b));
  const own = entries.filter(([k]) => !isSystemTag(k));
  const system = entries.filter(([k]) => isSystemTag(k));

  const save = async (key: string, value: string) => {
    if (await action.run(() => client.call('tracking.setRunTag', { runId, key, value }))) {
      setEditing(null);
      onChanged();
      return true;
    }
    return false;
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const tag = parseTagText(adding);
    if (!tag.ok) return setAddError(tag.error);
    if (await save(tag.key, tag.value)) setAdding('');
  };

  const remove = async (key: string) => {
    if (await action.run(() => client.call('tracking.deleteRunTag', { runId, key }))) onChanged();
  };

  return (
    <Card title={`Tags (${own.length})`} testId="run-tags">
      {own.length === 0 && <p className="muted">No tags{editable ? ': add one below.' : '.'}</p>}
      {own.length > 0 && (
        <div className="kv-scroll">
          <table className="kv run-tags">
            <tbody>
              {own.map(([key, value]) => (
                <tr key={key} data-testid="run-tag" data-key={key}>
                  <th scope="row">{key}</th>
                  {editing?.key === key ? (
                    <td colSpan={2}>
                      <input
                        className="input mono tag-value-input"
                        aria-label={`Value of tag ${key}`}
                        autoFocus
                        value={editing.value}
                        onChange={(e) => {
                          setEditing({ key, value: e.target.value });
                          action.clearError();
                        }}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter') void save(key, editing.value);
                          if (e.key === 'Escape') setEditing(null);
                        }}
                      />
                      <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void save(key, editing.value)}>
                        Save
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </td>
                  ) : (
                    <>
                      <td className="wrap">{value === '' ? <span className="muted">(empty)</span> : value}</td>
                      <td className="tag-actions">
                        {editable && (
                          <>
                            <button type="button" className="link-btn" aria-label={`Edit tag ${key}`} onClick={() => setEditing({ key, value })}>
                              Edit
                            </button>
                            <button type="button" className="link-btn link-danger" aria-label={`Delete tag ${key}`} disabled={action.busy} onClick={() => void remove(key)}>
                              Delete
                            </button>
                          </>
                        )}
                      </td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editable && (
        <form className="tag-add" onSubmit={(e) => void add(e)}>
          <div className="tag-add-row">
            <input
              className={`input mono${addError ? ' input-invalid' : ''}`}
              aria-label={`New tag as ${TAG_FORM}`}
              aria-invalid={addError ? true : undefined}
              aria-describedby={addError ? 'run-tag-add-error' : undefined}
              placeholder={TAG_FORM}
              value={adding}
              onChange={(e) => {
                setAdding(e.target.value);
                setAddError(null);
                action.clearError();
              }}
              data-testid="run-tag-input"
            />
            <button type="submit" className="btn btn-small" disabled={action.busy || adding.trim() === ''} data-testid="run-tag-add">
              Add tag
            </button>
          </div>
          {addError && (
            <p className="field-error" role="alert" id="run-tag-add-error" data-testid="run-tag-error">
              {addError}
            </p>
          )}
        </form>
      )}
      {action.error && (
        <p className="field-error" role="alert" data-testid="run-tag-action-error">
          {action.error.message}
        </p>
      )}
      {system.length > 0 && (
        <details className="system-tags">
          <summary className="muted">
            {system.length} set by MLflow or Orrery
          </summary>
          <table className="kv">
            <tbody>
              {system.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row">{key}</th>
                  <td className="wrap">{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </Card>
  );
}
