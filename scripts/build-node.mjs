// Bundles the Node side: the command line (ESM: the headless server's entry and `orrery`),
// Electron's main (CJS) and preload (CJS, sandboxed, so everything but 'electron' is bundled into
// it). npm packages stay external for the command line and main; they load from node_modules (or
// the packaged app's).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  build({ ...common, entryPoints: ['electron/cli/serve.ts'], outfile: 'dist/cli/serve.js', format: 'esm', packages: 'external' }),
  // The `orrery` command (package.json "bin"): runnable as it is, hence the shebang and mode.
  build({
    ...common,
    entryPoints: ['electron/cli/orrery.ts'],
    outfile: 'dist/cli/orrery.js',
    format: 'esm',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({ ...common, entryPoints: ['electron/main/index.ts'], outfile: 'dist/main/index.cjs', format: 'cjs', packages: 'external', external: ['electron'] }),
  build({ ...common, entryPoints: ['electron/preload/index.ts'], outfile: 'dist/preload/index.cjs', format: 'cjs', external: ['electron'] }),
]);

const { chmodSync, writeFileSync } = await import('node:fs');
chmodSync('dist/cli/orrery.js', 0o755);

// Marks a complete build (vite and esbuild both done) for build-if-stale.mjs.
writeFileSync('dist/.build-stamp', new Date().toISOString() + '\n');
