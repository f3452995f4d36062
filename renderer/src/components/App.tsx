import { useEffect, useState } from 'react';
import { pages } from '../pages/pages';
import { useAppStore } from '../stores/stores-context';
import { Nav } from './Nav';
import { TokenPage } from './TokenPage';

/** The frame: navigation on the left, the selected page on the right. */
export function App() {
  const load = useAppStore((s) => s.load);
  const error = useAppStore((s) => s.error);
  const [current, setCurrent] = useState(pages[0]?.id ?? '');

  useEffect(() => {
    void load();
  }, [load]);

  if (error?.code === 'UNAUTHORIZED') return <TokenPage refused />;

  const page = pages.find((p) => p.id === current) ?? pages[0];
  return (
    <div className="frame">
      <Nav pages={pages} current={page?.id ?? ''} onSelect={setCurrent} />
      <main className="content">{page && <page.component key={page.id} />}</main>
    </div>
  );
}
