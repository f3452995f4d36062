import { useClient } from '../../api/client-context';
import { CopyableCode } from '../../components/CopyableCode';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';

interface DeploymentTokenProps {
  name: string;
  /** The token once shown; null while hidden. */
  token: string | null;
  onToken(token: string): void;
}

/** The bearer token callers of a token-guarded deployment send; read only when asked for, so it is not on screen by default. */
export function DeploymentToken({ name, token, onToken }: DeploymentTokenProps) {
  const client = useClient();
  const action = useAction();
  return (
    <div className="deployment-token" data-testid="deployment-token">
      <p className="small">
        <strong>Bearer token for this deployment</strong>
        <span className="muted"> — callers send it in the header shown in the example.</span>
      </p>
      {token !== null ? (
        <CopyableCode code={token} label="Copy token" />
      ) : (
        <button
          type="button"
          className="btn btn-small"
          disabled={action.busy}
          data-testid="show-token"
          onClick={() => void action.run(async () => onToken((await client.call('serving.getDeploymentToken', { name })).token ?? ''))}
        >
          Show token
        </button>
      )}
      {action.error && <ErrorNotice title="Could not read the token." error={action.error} />}
    </div>
  );
}
