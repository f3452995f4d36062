import { useState } from 'react';
import type { ModelStage, ModelVersionDetail } from '../../../../shared/contract/registry';
import { modelStages } from '../../../../shared/contract/registry';
import { useClient } from '../../api/client-context';
import { useAction } from '../../lib/use-action';
import { useActor } from './use-actor';

interface StageControlsProps {
  version: ModelVersionDetail;
  /** The model's Production version, when another one holds it. */
  productionVersion: number | null;
  onChanged(): void;
}

/** Move the version between None, Staging, Production and Archived. */
export function StageControls({ version, productionVersion, onChanged }: StageControlsProps) {
  const client = useClient();
  const actor = useActor();
  const [stage, setStage] = useState<ModelStage>(version.stage);
  const [archive, setArchive] = useState(true);
  const { busy, error, run, clearError } = useAction();
  const approved = version.approvals.some((a) => a.status === 'approved');
  const displaces = stage === 'Production' && productionVersion !== null && productionVersion !== version.version;

  const move = () =>
    run(async () => {
      await client.call('registry.setStage', { name: version.name, version: version.version, stage, archiveExisting: displaces && archive, actor });
      onChanged();
    });

  return (
    <div className="stage-controls inline-form" data-testid="stage-controls">
      <div className="actions">
        <label className="inline-check">
          Stage
          <select aria-label="Stage" value={stage} onChange={(e) => (setStage(e.target.value as ModelStage), clearError())} data-testid="stage-select">
            {modelStages.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" disabled={busy || stage === version.stage} onClick={() => void move()} data-testid="stage-move">
          Move
        </button>
      </div>
      {displaces && (
        <label className="inline-check">
          <input type="checkbox" checked={archive} onChange={(e) => (setArchive(e.target.checked), clearError())} data-testid="archive-existing" />
          Archive v{productionVersion}, now in Production (one Production version per model)
        </label>
      )}
      {stage === 'Production' && version.stage !== 'Production' && !approved && (
        <p className="field-hint">Production needs an approved request: ask for one in the approval panel.</p>
      )}
      {error && (
        <p className="field-error" role="alert" data-testid="stage-error">
          {error.message}
        </p>
      )}
    </div>
  );
}
