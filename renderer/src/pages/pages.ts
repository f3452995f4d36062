import type { ComponentType } from 'react';
import type { Route } from '../routing/route';
import { AlertsBadge } from './alerts/AlertsBadge';
import { AlertsPage } from './alerts/AlertsPage';
import { ComparePage } from './compare/ComparePage';
import { CompareDatasetsPage } from './compare-datasets/CompareDatasetsPage';
import { DeploymentsPage } from './deployments/DeploymentsPage';
import { ExperimentsPage } from './experiments/ExperimentsPage';
import { ModelsPage } from './models/ModelsPage';
import { OverviewPage } from './overview/OverviewPage';
import { PipelineRunPage } from './pipelines/PipelineRunPage';
import { PipelinesPage } from './pipelines/PipelinesPage';
import { JobsPage } from './jobs/JobsPage';
import { RunPage } from './run/RunPage';
import { SettingsPage } from './settings/SettingsPage';

export interface PageDef {
  /** The route area this page answers (#/<id>/...). */
  id: string;
  label: string;
  component: ComponentType<{ route: Route }>;
  /** Listed in the navigation; detail pages (a run, a comparison) are reached by links. */
  inNav: boolean;
  /** A count beside the navigation item (firing alerts); renders nothing when there is none. */
  badge?: ComponentType;
}

/** The areas the app offers. Only areas that work are listed; new pages are added here. */
export const pages: readonly PageDef[] = [
  { id: 'overview', label: 'Overview', component: OverviewPage, inNav: true },
  { id: 'experiments', label: 'Experiments', component: ExperimentsPage, inNav: true },
  { id: 'queue', label: 'Jobs', component: JobsPage, inNav: true },
  { id: 'models', label: 'Models', component: ModelsPage, inNav: true },
  { id: 'deployments', label: 'Deployments', component: DeploymentsPage, inNav: true },
  { id: 'pipelines', label: 'Pipelines', component: PipelinesPage, inNav: true },
  { id: 'alerts', label: 'Alerts', component: AlertsPage, inNav: true, badge: AlertsBadge },
  { id: 'compare-datasets', label: 'Compare datasets', component: CompareDatasetsPage, inNav: true },
  { id: 'settings', label: 'Settings', component: SettingsPage, inNav: true },
  { id: 'runs', label: 'Run', component: RunPage, inNav: false },
  { id: 'compare', label: 'Compare', component: ComparePage, inNav: false },
  { id: 'pipeline-runs', label: 'Pipeline run', component: PipelineRunPage, inNav: false },
];
