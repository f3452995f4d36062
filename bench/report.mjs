// Result rows and the printed table. A missed target is printed, never an exit code.

/** @typedef {{ name: string, value: string, baseline: string, ratio: string, target: string, status: 'PASS' | 'MISS' | 'info', note?: string }} Row */

export const fmt = {
  ms: (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`),
  rate: (perSecond) => (perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M pts/s` : `${(perSecond / 1e3).toFixed(1)} k pts/s`),
  mb: (mb) => `${mb.toFixed(0)} MB`,
  x: (ratio) => `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 0.1 ? ratio.toFixed(2) : ratio.toFixed(3)}x`,
};

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` `warmup` times untimed, then `times` times; returns every timing (ms, as fn reports or measured). */
export async function timeRepeated(fn, { warmup = 2, times = 10 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const reported = await fn();
    samples.push(typeof reported === 'number' ? reported : performance.now() - started);
  }
  return samples;
}

export function printTable(rows) {
  const columns = [
    ['benchmark', (r) => r.name],
    ['result', (r) => r.value],
    ['baseline (same run)', (r) => r.baseline],
    ['ratio', (r) => r.ratio],
    ['target', (r) => r.target],
    ['', (r) => r.status],
  ];
  const widths = columns.map(([title, get]) => Math.max(title.length, ...rows.map((r) => get(r).length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  console.log(line(columns.map(([title]) => title)));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(columns.map(([, get]) => get(row))));
  const notes = rows.filter((r) => r.note);
  if (notes.length > 0) {
    console.log('');
    for (const row of notes) console.log(`  ${row.name}: ${row.note}`);
  }
}
