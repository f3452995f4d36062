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
  // The monitoring worker: a thread of the app (desktop and headless alike), everything bundled in.
  build({ ...common, entryPoints: ['electron/services/monitoring/compute/compute-worker.ts'], outfile: 'dist/workers/monitoring-worker.cjs', format: 'cjs' }),
]);

const { chmodSync, mkdirSync, rmSync, writeFileSync } = await import('node:fs');
chmodSync('dist/cli/orrery.js', 0o755);

// Until the reshaping of issue 12 the entries were dist/server/cli.js and dist/server/orrery-cli.js: an
// `npm link`ed orrery or a script may still call them. They forward to the new entries, so an
// upgraded checkout never runs a stale build left in dist/.
mkdirSync('dist/server', { recursive: true });
for (const [old, current, shebang] of [
  ['dist/server/cli.js', '../cli/serve.js', ''],
  ['dist/server/orrery-cli.js', '../cli/orrery.js', '#!/usr/bin/env node\n'],
]) {
  rmSync(`${old}.map`, { force: true });
  writeFileSync(old, `${shebang}// Moved to ${current.slice(3)}; kept so older links and scripts still work.\nimport '${current}';\n`);
  chmodSync(old, 0o755);
}

// Marks a complete build (vite and esbuild both done) for build-if-stale.mjs.
writeFileSync('dist/.build-stamp', new Date().toISOString() + '\n');
