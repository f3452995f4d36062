// Builds the UI with Vite in production mode whatever NODE_ENV the caller has: the tests' global
// setup runs with NODE_ENV=test, and the bundle it leaves is the one `npm run serve` then serves.
import path from 'node:path';
import { developmentMarkers } from './bundle-mode.mjs';

process.env.NODE_ENV = 'production';
const { build } = await import('vite');
const root = path.resolve(import.meta.dirname, '..');
await build({ configFile: path.join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });

const markers = developmentMarkers(path.join(root, 'dist', 'renderer'));
if (markers.length > 0) {
  console.error(`The renderer bundle is a development build (it contains ${markers.join(', ')}); refusing to leave it in dist/.`);
  process.exit(1);
}
