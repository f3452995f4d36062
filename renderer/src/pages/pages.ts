import type { ComponentType } from 'react';
import type { Route } from '../routing/route';
import { OverviewPage } from './overview/OverviewPage';

export interface PageDef {
  /** The route area this page answers (#/<id>/...). */
  id: string;
  label: string;
  component: ComponentType<{ route: Route }>;
  /** Listed in the navigation; detail pages (a run, a comparison) are reached by links. */
  inNav: boolean;
}

/** The areas the app offers. Only areas that work are listed; new pages are added here. */
export const pages: readonly PageDef[] = [{ id: 'overview', label: 'Overview', component: OverviewPage, inNav: true }];
