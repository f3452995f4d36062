import { useEffect } from 'react';
import { AlertNotifier } from '../pages/alerts/AlertNotifier';
import { pages } from '../pages/pages';
import { navigate, useRoute } from '../routing/use-route';
import { routeHref } from '../routing/route';
import { useAppStore } from '../stores/stores-context';
import { IntegrityBanner } from './IntegrityBanner';
import { Nav } from './Nav';
import { TokenPage } from './TokenPage';

/** The frame: navigation on the left, the page for the current route on the right. */
export function App() {
  const load = useAppStore((s) => s.load);
  const error = useAppStore((s) => s.error);
  const route = useRoute();

  useEffect(() => {
    void load();
  }, [load]);

  if (error?.code === 'UNAUTHORIZED') return <TokenPage refused />;

  const page = pages.find((p) => p.id === route.area) ?? pages[0];
  return (
    <div className="frame">
      <AlertNotifier />
      <Nav pages={pages.filter((p) => p.inNav)} current={page?.id ?? ''} onSelect={(id) => navigate(routeHref(id))} />
      <main className="content">
        <IntegrityBanner />
        {page && <page.component key={page.id} route={route} />}
      </main>
    </div>
  );
}
