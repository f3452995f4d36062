// Compare paint: the built UI in Debian's Chromium opens #/compare?runs=<ids> and reports when every
// chart has drawn its data once (window.__orreryChartsPainted, performance.now() since navigation).
// Two stores, seeded once and kept in $ORRERY_BENCH_CACHE (bench/seed-compare-store.mjs: template
// runs written through the app's MetricStore, the rest copied from them with raw SQL):
//  - 50 runs × 100k steps × 3 metrics: paint, and a smoothing change (input event → next frame);
//  - 100 runs × 1M steps × 1 metric (100M points): paint.
// Baseline for each paint, same run, same server and browser: the same page comparing 2 of the runs.
/* global window, document, HTMLInputElement, requestAnimationFrame -- page.evaluate bodies run in the browser */
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { cachedStore, folderBytes, sourceKey } from './bench-cache.mjs';
import { seedCompareStore } from './seed-compare-store.mjs';
import { fmt, median } from './report.mjs';
import { startServer } from './server-process.mjs';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
export const CHROMIUM = process.env.ORRERY_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));

const STORES = {
  medium: { name: 'compare-50x100k', runs: 50, steps: 100_000, keys: ['loss', 'accuracy', 'lr'] },
  big: { name: 'compare-100x1M', runs: 100, steps: 1_000_000, keys: ['loss'] },
};

/** Loads the comparison in a fresh document; returns ms from navigation start to every chart painted. */
export async function paintOnce(page, baseUrl, runIds, charts) {
  await page.goto('about:blank');
  await page.goto(`${baseUrl}/#/compare?runs=${runIds.join(',')}`);
  await page.waitForSelector('[data-testid="compare-page"][data-painted="true"]', { timeout: 120_000 });
  const drawn = await page.evaluate(() => ({
    painted: window.__orreryChartsPainted,
    charts: document.querySelectorAll('[data-testid="metric-chart"] canvas').length,
    lines: [...document.querySelectorAll('[data-testid="metric-chart"]')].map((f) => JSON.parse(f.getAttribute('data-plotted') ?? '{"lines":[]}').lines.length),
  }));
  if (drawn.charts !== charts) throw new Error(`expected ${charts} charts, found ${drawn.charts}`);
  if (drawn.lines.some((n) => n !== runIds.length)) throw new Error(`expected ${runIds.length} lines per chart, found ${drawn.lines.join(', ')}`);
  return drawn.painted;
}

/** A smoothing change on the loaded page: input event → charts updated → next frame. */
export async function smoothingChange(page, value) {
  return page.evaluate(async (v) => {
    const input = document.querySelector('[data-testid="smoothing"]');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const started = performance.now();
    setValue.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - started;
  }, value);
}

/** A seeded store of `shape`, from the cache when the store and seeding code are unchanged. */
async function store(shape, log) {
  const seeder = fs.readFileSync(new URL('./seed-compare-store.mjs', import.meta.url), 'utf8');
  const key = sourceKey(['electron/services/store', 'electron/services/tracking'], JSON.stringify(shape) + seeder);
  const { dataDir, reused, facts } = await cachedStore(shape.name, key, (dir) => seedCompareStore(dir, shape));
  const points = shape.runs * shape.steps * shape.keys.length;
  const seeded = `${shape.runs} runs × ${shape.steps.toLocaleString('en')} steps × ${shape.keys.length} key${shape.keys.length > 1 ? 's' : ''} (${(points / 1e6).toFixed(0)}M points, ${(folderBytes(dataDir) / 2 ** 30).toFixed(2)} GiB, seeded in ${(facts.seedMs / 1000).toFixed(0)} s)`;
  log(`compare: ${reused ? 'reusing' : 'seeded'} ${seeded}`);
  return { dataDir, runIds: facts.runIds, seeded };
}

/** Opens a page on a fresh server over `dataDir`, signed in. */
async function openSession(browser, dataDir, cpuProfDir) {
  const server = await startServer({ dataDir, cpuProfDir });
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The token goes from the URL into sessionStorage, which later loads in this tab reuse.
  await page.goto(`${server.baseUrl}/#token=${encodeURIComponent(server.token)}`);
  await page.waitForFunction(() => !window.location.hash.includes('token='));
  return { server, page, errors };
}

/** Median paint of all the runs and of 2 of them, alternating, after one untimed load of each. */
async function paintRow({ page, server }, { runIds, seeded }, shape, times) {
  const charts = shape.keys.length;
  const few = runIds.slice(0, 2);
  const first = await paintOnce(page, server.baseUrl, runIds, charts);
  await paintOnce(page, server.baseUrl, few, charts);
  const many = [];
  const base = [];
  for (let i = 0; i < times; i++) {
    many.push(await paintOnce(page, server.baseUrl, runIds, charts));
    base.push(await paintOnce(page, server.baseUrl, few, charts));
  }
  const manyMs = median(many);
  const baseMs = median(base);
  return {
    name: `compare: ${shape.runs} runs × ${shape.steps >= 1e6 ? `${shape.steps / 1e6}M` : `${shape.steps / 1000}k`} steps × ${charts} chart${charts > 1 ? 's' : ''} painted`,
    value: fmt.ms(manyMs),
    baseline: `2 runs ${fmt.ms(baseMs)}`,
    ratio: fmt.x(manyMs / baseMs),
    target: '< 2000 ms',
    status: manyMs < 2000 ? 'PASS' : 'MISS',
    note: `navigation start → every chart drawn, median of ${times} page loads (first ${fmt.ms(first)}); store: ${seeded}; Chromium headless, software rendering`,
  };
}

export async function benchComparePaint({ cpuProfDir, log = console.error } = {}) {
  if (!CHROMIUM) {
    log('compare: no Chromium found (set ORRERY_CHROMIUM); skipped');
    return { rows: [{ name: 'compare: paint', value: 'skipped', baseline: 'no Chromium', ratio: '—', target: '—', status: 'info' }], memory: { phase: 'compare', idleMb: 0, peakMb: 0 } };
  }
  const medium = await store(STORES.medium, log);
  const big = await store(STORES.big, log);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const rows = [];
  let memory = { phase: 'compare', idleMb: 0, peakMb: 0 };
  try {
    const session = await openSession(browser, medium.dataDir, cpuProfDir);
    try {
      const idle = session.server.memory();
      rows.push(await paintRow(session, medium, STORES.medium, 5));
      await paintOnce(session.page, session.server.baseUrl, medium.runIds, STORES.medium.keys.length);
      const smooth = [];
      for (let i = 0; i < 8; i++) smooth.push(await smoothingChange(session.page, i % 2 ? 0.6 : 0.9));
      if (session.errors.length > 0) throw new Error(`page errors: ${session.errors.join('; ')}`);
      const smoothMs = median(smooth);
      rows.push({
        name: `compare: smoothing change, ${STORES.medium.runs} runs × ${STORES.medium.keys.length} charts`,
        value: fmt.ms(smoothMs),
        // No baseline is measured for this one; a fixed figure must not pose as one.
        baseline: '—',
        ratio: '—',
        target: '< 100 ms',
        status: smoothMs < 100 ? 'PASS' : 'MISS',
        note: `input event → ${STORES.medium.keys.length} charts re-smoothed and redrawn → next frame, median of ${smooth.length} (${smooth.map((ms) => ms.toFixed(0)).join(', ')} ms); absolute target only (a 60 Hz frame is 16.7 ms)`,
      });
      memory = { phase: 'compare', idleMb: idle.rssMb, peakMb: session.server.memory().peakMb };
    } finally {
      await session.page.close();
      await session.server.stop();
    }
    const session2 = await openSession(browser, big.dataDir, cpuProfDir);
    try {
      rows.push(await paintRow(session2, big, STORES.big, 3));
      if (session2.errors.length > 0) throw new Error(`page errors: ${session2.errors.join('; ')}`);
      memory.peakMb = Math.max(memory.peakMb, session2.server.memory().peakMb);
    } finally {
      await session2.page.close();
      await session2.server.stop();
    }
  } finally {
    await browser.close();
  }
  return { rows, memory };
}
