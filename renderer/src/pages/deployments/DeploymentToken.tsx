import { useState } from 'react';
import { useClient } from '../../api/client-context';
import { CopyableCode } from '../../components/CopyableCode';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';

/** The bearer token callers of a token-guarded deployment send; read only when asked for, so it is not on screen by default. */
export function DeploymentToken({ name }: { name: string }) {
  const client = useClient();
  const action = useAction();
  const [token, setToken] = useState<string | null>(null);
  if (token !== null) return <CopyableCode code={token} label="Copy token" />;
  return (
    <div>
      <button
        type="button"
        className="btn btn-small"
        disabled={action.busy}
        data-testid="show-token"
        onClick={() => void action.run(async () => setToken((await client.call('serving.getDeploymentToken', { name })).token ?? ''))}
      >
        Show token
      </button>
      {action.error && <ErrorNotice title="Could not read the token." error={action.error} />}
    </div>
  );
}
