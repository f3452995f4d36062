import { useState } from 'react';
import type { GateSpec } from '../../../../shared/contract/registry';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { useAction } from '../../lib/use-action';
import { emptyDraft, fromDraft, toDraft, type GateDraft } from './gate-drafts';
import { describeGate } from './model-format';
import { useActor } from './use-actor';

const kinds: Array<[GateSpec['kind'], string]> = [
  ['metric', 'Metric threshold'],
  ['required_file', 'Required file'],
  ['max_size', 'Maximum size'],
];

/** The model's validation gates; editing them re-evaluates every version. */
export function GatesEditor({ name, gates, onSaved }: { name: string; gates: GateSpec[]; onSaved(): void }) {
  const client = useClient();
  const actor = useActor();
  const [drafts, setDrafts] = useState<GateDraft[] | null>(null);
  // A draft that does not parse is refused here; the server's refusals come through the action.
  const [draftError, setDraftError] = useState<string | null>(null);
  const { busy: saving, error: serverError, run, clearError } = useAction();
  const error = draftError ?? serverError?.message ?? null;

  // An edit of the gates answers any refusal shown for them: the message goes with it.
  const change = (next: GateDraft[]) => {
    setDrafts(next);
    setDraftError(null);
    clearError();
  };
  const update = (i: number, patch: Partial<GateDraft>) => drafts && change(drafts.map((g, j) => (j === i ? { ...g, ...patch } : g)));

  async function save() {
    if (!drafts) return;
    const parsed = drafts.map(fromDraft);
    const bad = parsed.findIndex((g) => 'error' in g);
    if (bad !== -1) {
      setDraftError(`Gate ${bad + 1}: ${(parsed[bad] as { error: string }).error}`);
      return;
    }
    setDraftError(null);
    await run(async () => {
      await client.call('registry.setGates', { name, gates: parsed as GateSpec[], actor });
      setDrafts(null);
      onSaved();
    });
  }

  return (
    <Card
      title="Validation gates"
      testId="gates-editor"
      // While editing, the card takes the whole row: a gate's kind, metric, comparison and threshold side by side.
      className={drafts === null ? undefined : 'card-wide'}
      aside={
        drafts === null && (
          <button type="button" className="btn btn-small" onClick={() => setDrafts(gates.map(toDraft))} data-testid="edit-gates">
            Edit
          </button>
        )
      }
    >
      {drafts === null ? (
        gates.length === 0 ? (
          <p className="muted">No gates: every version passes. Add metric thresholds, required files or a size limit.</p>
        ) : (
          <ul className="plain-list" data-testid="gate-list">
            {gates.map((g, i) => (
              <li key={i}>
                <code>{describeGate(g)}</code>
              </li>
            ))}
          </ul>
        )
      ) : (
        <div className="gate-form inline-form">
          {drafts.map((d, i) => (
            <div className="gate-row" key={i} data-testid="gate-row">
              <select aria-label={`Gate ${i + 1} kind`} value={d.kind} onChange={(e) => update(i, { kind: e.target.value as GateSpec['kind'] })}>
                {kinds.map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </select>
              {d.kind === 'metric' && (
                <>
                  <input aria-label={`Gate ${i + 1} metric`} placeholder="accuracy" value={d.metric} onChange={(e) => update(i, { metric: e.target.value })} />
                  <select aria-label={`Gate ${i + 1} comparison`} value={d.op} onChange={(e) => update(i, { op: e.target.value as GateDraft['op'] })}>
                    {(['>=', '>', '<=', '<', '=='] as const).map((op) => (
                      <option key={op}>{op}</option>
                    ))}
                  </select>
                  <input aria-label={`Gate ${i + 1} threshold`} inputMode="decimal" placeholder="0.9" value={d.value} onChange={(e) => update(i, { value: e.target.value })} />
                </>
              )}
              {d.kind === 'required_file' && (
                <input aria-label={`Gate ${i + 1} file`} className="mono" placeholder="MLmodel" value={d.path} onChange={(e) => update(i, { path: e.target.value })} />
              )}
              {d.kind === 'max_size' && (
                <label className="inline-check">
                  <input aria-label={`Gate ${i + 1} maximum size in MiB`} inputMode="decimal" placeholder="500" value={d.sizeMib} onChange={(e) => update(i, { sizeMib: e.target.value })} />
                  MiB
                </label>
              )}
              <button type="button" className="btn btn-small" aria-label={`Remove gate ${i + 1}`} onClick={() => change(drafts.filter((_, j) => j !== i))}>
                ✕
              </button>
            </div>
          ))}
          <div className="actions">
            <button type="button" className="btn btn-small" onClick={() => change([...drafts, emptyDraft()])} data-testid="add-gate">
              Add gate
            </button>
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => (setDrafts(null), setDraftError(null), clearError())}>
              Cancel
            </button>
            <button type="button" className="btn btn-small btn-primary" disabled={saving} onClick={() => void save()} data-testid="save-gates">
              {saving ? 'Saving…' : 'Save gates'}
            </button>
          </div>
          {error && (
            <p className="field-error" role="alert" data-testid="gates-error">
              {error}
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
