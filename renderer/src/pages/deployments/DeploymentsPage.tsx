import type { Route } from '../../routing/route';
import { DeploymentList } from './DeploymentList';
import { DeploymentPage } from './DeploymentPage';
import '../../styles/models.css';
import '../../styles/launch.css';
import '../../styles/run.css';
import '../../styles/serving.css';

/** #/deployments and #/deployments/<name>: models served on this machine. */
export function DeploymentsPage({ route }: { route: Route }) {
  const [name] = route.params;
  return name === undefined ? <DeploymentList /> : <DeploymentPage name={name} />;
}
