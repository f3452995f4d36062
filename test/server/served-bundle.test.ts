import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentMarkers } from '../../scripts/bundle-mode.mjs';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp-dir';

// The tests build with NODE_ENV=test; what `npm run serve` then serves must still be React's
// production build (a development one is 40% larger and slower in every UI figure).
describe('the bundle npm run serve serves', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(['--port', '0'], { ORRERY_HOME: tempDir() });
  }, 180_000);
  afterAll(async () => serve?.stop());

  it('is a production build', async () => {
    const origin = new URL(serve.openUrl).origin;
    const page = await (await fetch(`${origin}/`)).text();
    const scripts = [...page.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const text = await (await fetch(new URL(src, `${origin}/`))).text();
      expect(text.length).toBeGreaterThan(100_000);
      const folder = tempDir();
      fs.mkdirSync(path.join(folder, 'assets'));
      fs.writeFileSync(path.join(folder, 'assets', 'served.js'), text);
      expect(developmentMarkers(folder)).toEqual([]);
    }
  });

  it('tells a real development bundle from a production one', async () => {
    // What the tests' NODE_ENV=test once left in dist/: Vite's build in development mode, minified.
    const folder = tempDir();
    const { build } = await import('vite');
    await build({ configFile: path.resolve(import.meta.dirname, '../../vite.config.ts'), mode: 'development', logLevel: 'silent', build: { outDir: folder, emptyOutDir: true, minify: true } });
    expect(developmentMarkers(folder)).toContain('jsxDEV');
    expect(developmentMarkers(path.resolve(import.meta.dirname, '../../dist/renderer'))).toEqual([]);
  }, 120_000);
});
