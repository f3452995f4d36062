import type { PageDef } from '../pages/pages';
import { useAppStore } from '../stores/stores-context';

interface NavProps {
  pages: readonly PageDef[];
  current: string;
  onSelect(id: string): void;
}

/** Left navigation: one button per page, and the running app's version underneath. */
export function Nav({ pages, current, onSelect }: NavProps) {
  const info = useAppStore((s) => s.info);
  const error = useAppStore((s) => s.error);
  return (
    <nav className="nav" aria-label="Main" data-testid="nav">
      <div className="brand">Orrery</div>
      <ul>
        {pages.map((page) => (
          <li key={page.id}>
            <button
              type="button"
              className="nav-item"
              aria-current={page.id === current ? 'page' : undefined}
              onClick={() => onSelect(page.id)}
            >
              {page.label}
              {page.badge && <page.badge />}
            </button>
          </li>
        ))}
      </ul>
      <footer className="nav-footer" data-testid="app-version">
        {info ? (
          <>
            <span>v{info.version}</span>
            <span className="muted">{info.mode}</span>
          </>
        ) : (
          <span className="muted">{error ? 'version unknown' : '…'}</span>
        )}
      </footer>
    </nav>
  );
}
