// Runs table UI at 100k runs: 100k runs × 5 params × 5 metrics written in-process through the
// app's own TrackingService (kept in the bench cache between runs), then the built UI in Debian's
// Chromium opens #/experiments/<id>: navigation start → first rows on screen, against the same
// for an experiment of 100 runs in the same store (baseline). Then the grid is scrolled by a
// fixed step each animation frame (fetching pages as it goes, as a user's scroll would) and the
// frame times (requestAnimationFrame deltas) are compared with the same page's idle frames.
/* global window, document, requestAnimationFrame -- page.evaluate bodies run in the browser */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { openTracking } from './app-bundle.mjs';
import { cachedStore, sourceKey } from './bench-cache.mjs';
import { CHROMIUM, CHROMIUM_FLAGS } from './compare-paint.mjs';
import { fmt, median } from './report.mjs';
import { startServer } from './server-process.mjs';

const PARAMS = Array.from({ length: 5 }, (_, i) => `p${i}`);
const METRICS = Array.from({ length: 5 }, (_, i) => `m${i}`);
const SEED_VERSION = 'runs-ui-1';
const SMALL = 100;
/** Pixels scrolled per frame: a brisk flick of the wheel. */
const SCROLL_STEP = 240;
const SCROLL_FRAMES = 240;

async function seed(dataDir, runs) {
  const { db, tracking } = await openTracking(dataDir);
  const started = performance.now();
  const t0 = 1_750_000_000_000;
  const fill = (name, count) => {
    const experimentId = tracking.createExperiment(name);
    for (let from = 0; from < count; from += 500) {
      db.transaction(() => {
        for (let r = from; r < Math.min(count, from + 500); r++) {
          const { runId } = tracking.createRun({ experimentId, name: `run-${r}`, startTime: t0 + r * 1000, tags: [{ key: 'mlflow.user', value: 'bench' }] });
          tracking.logBatch(runId, {
            params: PARAMS.map((key, j) => ({ key, value: String((r * 7 + j) % 97) })),
            metrics: METRICS.map((key, j) => ({ key, value: ((r * 7919 + j * 104729) % 1000) / 1000, timestamp: t0 + r * 1000 + 500, step: 100 })),
            tags: [],
          });
        }
      })();
    }
    return experimentId;
  };
  const big = fill('runs-ui-100k', runs);
  const small = fill('runs-ui-small', SMALL);
  db.close();
  return { big, small, seedMs: performance.now() - started };
}

/** Opens the experiment's runs table in a fresh document; ms from navigation start to the first frame with rows. */
async function rowsVisible(page, baseUrl, experimentId) {
  await page.goto('about:blank');
  await page.goto(`${baseUrl}/#/experiments/${experimentId}`);
  const handle = await page.waitForFunction(() => document.querySelector('[data-testid="run-row"]') && performance.now(), null, { polling: 'raf', timeout: 60_000 });
  return handle.jsonValue();
}

/** requestAnimationFrame deltas over `frames` frames, scrolling the grid by `step` px before each (0: idle). */
function frameTimes(page, frames, step) {
  return page.evaluate(
    ({ frames, step }) =>
      new Promise((resolve) => {
        const grid = document.querySelector('[data-testid="runs-grid"]');
        const deltas = [];
        let last = null;
        const tick = (now) => {
          if (last !== null) deltas.push(now - last);
          last = now;
          if (deltas.length >= frames) {
            resolve({ deltas, scrollTop: grid.scrollTop, rows: document.querySelectorAll('[data-testid="run-row"]').length });
            return;
          }
          if (step) grid.scrollTop += step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    { frames, step },
  );
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchRunsTableUi({ runs = 100_000, cpuProfDir, log = console.error, shotsDir = process.env.ORRERY_BENCH_SHOTS } = {}) {
  if (!CHROMIUM) {
    log('runs-ui: no Chromium found (set ORRERY_CHROMIUM); skipped');
    return { rows: [{ name: 'runs-ui: rows visible', value: 'skipped', baseline: 'no Chromium', ratio: '—', target: '—', status: 'info' }], memory: { phase: 'runs-ui', idleMb: 0, peakMb: 0 } };
  }
  // The schema decides what the seed wrote; read-path changes need no new seed.
  const key = sourceKey(['electron/services/store/migrations'], `${SEED_VERSION} ${runs}`);
  const store = await cachedStore(`runs-ui-${runs}`, key, (dataDir) => seed(dataDir, runs));
  const { big, small } = store.facts;
  log(`runs-ui: ${store.reused ? 'reused' : 'seeded'} ${runs.toLocaleString('en')} runs × ${PARAMS.length} params × ${METRICS.length} metrics (seeded in ${(store.facts.seedMs / 1000).toFixed(0)} s); ${store.dataDir}`);

  const server = await startServer({ dataDir: store.dataDir, cpuProfDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let queries = 0;
    page.on('request', (request) => {
      if (request.url().includes('/api/rpc/tracking.queryRuns')) queries++;
    });
    await page.goto(`${server.baseUrl}/#token=${encodeURIComponent(server.token)}`);
    await page.waitForFunction(() => !window.location.hash.includes('token='));

    const times = 5;
    const firstBig = await rowsVisible(page, server.baseUrl, big);
    await rowsVisible(page, server.baseUrl, small);
    const bigMs = [];
    const smallMs = [];
    for (let i = 0; i < times; i++) {
      bigMs.push(await rowsVisible(page, server.baseUrl, big));
      smallMs.push(await rowsVisible(page, server.baseUrl, small));
    }

    // The big table once more, settled (default columns picked, first page in), then idle and scrolling frames.
    await rowsVisible(page, server.baseUrl, big);
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-grid"]')?.getAttribute('aria-busy') === 'false');
    await page.waitForTimeout(500);
    queries = 0;
    const loadedBefore = await page.evaluate(() => Number(document.querySelector('[data-testid="runs-grid"]').getAttribute('aria-rowcount')) - 1);
    if (shotsDir) await page.screenshot({ path: path.join(shotsDir, 'runs-ui-top.png') });
    const idle = await frameTimes(page, 120, 0);
    const scroll = await frameTimes(page, SCROLL_FRAMES, SCROLL_STEP);
    const loadedAfter = await page.evaluate(() => Number(document.querySelector('[data-testid="runs-grid"]').getAttribute('aria-rowcount')) - 1);
    if (shotsDir) await page.screenshot({ path: path.join(shotsDir, 'runs-ui-scrolled.png') });
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    if (scroll.rows > 200) throw new Error(`the grid rendered ${scroll.rows} rows at once: it is not windowed`);

    const visibleMs = median(bigMs);
    const baseMs = median(smallMs);
    const scrollP95 = percentile(scroll.deltas, 95);
    const idleP95 = percentile(idle.deltas, 95);
    return {
      rows: [
        {
          name: `runs-ui: rows visible (${runs / 1000}k runs)`,
          value: fmt.ms(visibleMs),
          baseline: `${SMALL} runs ${fmt.ms(baseMs)}`,
          ratio: fmt.x(visibleMs / baseMs),
          target: '< 500 ms',
          status: visibleMs < 500 ? 'PASS' : 'MISS',
          note: `navigation start → first frame with rows, median of ${times} page loads (first ${fmt.ms(firstBig)}); production bundle, Chromium headless`,
        },
        {
          name: `runs-ui: scroll p95 frame (${runs / 1000}k runs)`,
          value: fmt.ms(scrollP95),
          baseline: `idle p95 ${fmt.ms(idleP95)}`,
          ratio: fmt.x(scrollP95 / idleP95),
          target: '< 20 ms',
          status: scrollP95 < 20 ? 'PASS' : 'MISS',
          note:
            `${SCROLL_FRAMES} frames scrolled ${SCROLL_STEP} px each (to row ${Math.round(scroll.scrollTop / 32)}), requestAnimationFrame deltas; ` +
            `median ${fmt.ms(median(scroll.deltas))}, max ${fmt.ms(Math.max(...scroll.deltas))}; ${scroll.rows} rows in the DOM; ` +
            `${loadedBefore} runs loaded before, ${loadedAfter} after (${queries} page fetches while scrolling)`,
        },
      ],
      memory: { phase: 'runs-ui', idleMb: 0, peakMb: server.memory().peakMb },
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
