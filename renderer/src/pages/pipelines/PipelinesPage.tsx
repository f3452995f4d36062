import type { Route } from '../../routing/route';
import { PipelineList } from './PipelineList';
import { PipelinePage } from './PipelinePage';
import '../../styles/experiments.css';
import '../../styles/launch.css';
import '../../styles/models.css';
import '../../styles/run.css';
import '../../styles/pipelines.css';

/** #/pipelines and #/pipelines/<file>: pipeline files, their runs and triggers. */
export function PipelinesPage({ route }: { route: Route }) {
  const [file] = route.params;
  return file === undefined ? <PipelineList /> : <PipelinePage key={file} file={file} />;
}
