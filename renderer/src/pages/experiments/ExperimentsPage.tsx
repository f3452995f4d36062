import type { Route } from '../../routing/route';
import { ExperimentList } from './ExperimentList';
import { RunsView } from './RunsView';
import '../../styles/experiments.css';

/** #/experiments lists experiments; #/experiments/<id> is that experiment's runs table. */
export function ExperimentsPage({ route }: { route: Route }) {
  const experimentId = route.params[0];
  if (experimentId) return <RunsView key={experimentId} experimentId={experimentId} />;
  return <ExperimentList />;
}
