import type { ComponentType } from 'react';
import { OverviewPage } from './overview/OverviewPage';

export interface PageDef {
  id: string;
  label: string;
  component: ComponentType;
}

/** The areas the navigation offers. Only areas that work are listed; new pages are added here. */
export const pages: readonly PageDef[] = [{ id: 'overview', label: 'Overview', component: OverviewPage }];
