import type { Route } from '../../routing/route';
import { ModelDetail } from './ModelDetail';
import { ModelList } from './ModelList';
import { VersionPage } from './VersionPage';
import '../../styles/experiments.css';
import '../../styles/models.css';

/** #/models, #/models/<name>, #/models/<name>/<version>: the model registry. */
export function ModelsPage({ route }: { route: Route }) {
  const [name, version] = route.params;
  if (name === undefined) return <ModelList />;
  if (version === undefined) return <ModelDetail name={name} />;
  const number = Number(version);
  if (!Number.isInteger(number) || number < 1) return <p className="muted">“{version}” is not a version number.</p>;
  return <VersionPage name={name} version={number} />;
}
