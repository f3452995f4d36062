// Bundles the app's own store code (openDatabase + migrations, TrackingService, MetricStore) with
// esbuild into a temp folder and imports it, so benchmarks can fill a data dir through the same
// code path the server writes with, in-process and fast. npm packages stay external and are
// pinned to this checkout's node_modules by absolute path (the bundle lives outside the repo).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const root = path.resolve(import.meta.dirname, '..');

const ENTRY = `
export { openDatabase } from './electron/services/store/database';
export { TrackingService } from './electron/services/tracking/tracking-service';
export { MetricStore } from './electron/services/tracking/metric-store';
export { EventBus } from './electron/services/events/event-bus';
`;

let loaded;

/** @returns {Promise<{ openDatabase: Function, TrackingService: Function, MetricStore: Function, EventBus: Function }>} */
export async function loadApp() {
  if (loaded) return loaded;
  const requireHere = createRequire(path.join(root, 'package.json'));
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-bench-bundle-'));
  const outfile = path.join(outDir, 'app.mjs');
  await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-from-checkout',
        setup(b) {
          // Bare package imports: keep external, but resolved from this checkout.
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:') || requireHere.resolve.paths(args.path) === null) return { path: args.path, external: true };
            return { path: pathToFileURL(requireHere.resolve(args.path)).href, external: true };
          });
        },
      },
    ],
  });
  loaded = await import(pathToFileURL(outfile).href);
  fs.rmSync(outDir, { recursive: true, force: true });
  return loaded;
}

/**
 * Opens (creating and migrating) a data dir's store with the app's code; returns the service, and
 * a metric store on the same connection for bulk points past the service's per-batch limits.
 */
export async function openTracking(dataDir) {
  const app = await loadApp();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { db } = app.openDatabase({ dataDir });
  const tracking = new app.TrackingService({ db, bus: new app.EventBus() });
  return { db, tracking, metrics: new app.MetricStore(db) };
}

/**
 * Bundles a module of the app's TypeScript, written as `contents`, into node_modules/.cache (inside
 * the checkout, so its npm imports, kept external, resolve here) and imports it fresh.
 */
export async function importTsModule(name, contents) {
  const cacheDir = path.join(root, 'node_modules', '.cache', 'orrery-bench');
  fs.mkdirSync(cacheDir, { recursive: true });
  const outfile = path.join(cacheDir, `${name}.mjs`);
  await build({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: `${name}.ts` },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}
