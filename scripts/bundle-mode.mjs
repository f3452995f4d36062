// Whether a built renderer bundle is React's development build. Tests run with NODE_ENV=test,
// which makes Vite emit development JSX (jsxDEV) and React's development runtime: 40% larger and
// slower in every UI figure. Nothing a user runs may serve one.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Strings only React's development builds contain. A minified one calls `(0,R.jsxDEV)(…)`, so the
 * name alone is the mark (the production JSX runtime has only jsx and jsxs).
 */
const DEVELOPMENT_MARKERS = ['jsxDEV', 'react-dom.development'];

/** The development markers found in the bundle's scripts under `rendererDir` (empty: production). */
export function developmentMarkers(rendererDir) {
  const assets = path.join(rendererDir, 'assets');
  if (!fs.existsSync(assets)) return [];
  const found = new Set();
  for (const name of fs.readdirSync(assets)) {
    if (!name.endsWith('.js')) continue;
    const text = fs.readFileSync(path.join(assets, name), 'utf8');
    for (const marker of DEVELOPMENT_MARKERS) if (text.includes(marker)) found.add(marker);
  }
  return [...found];
}
