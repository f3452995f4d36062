// Where a server's CPU went: self and inclusive time per function from a .cpuprofile written by
// `npm run bench -- --cpu-prof=DIR`, with dist/ locations mapped back to the TypeScript source.
// Usage: node bench/cpuprofile-summary.mjs FILE.cpuprofile [top=25]
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const [file, topArg = '25'] = process.argv.slice(2);
if (!file) {
  console.error('Usage: node bench/cpuprofile-summary.mjs FILE.cpuprofile [top]');
  process.exit(2);
}
const top = Number(topArg);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));

const maps = new Map();
function sourceMapFor(url) {
  if (!maps.has(url)) {
    let map = null;
    try {
      const path = fileURLToPath(url);
      if (fs.existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(fs.readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

function label(frame) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const entry = frame.url.startsWith('file:') ? sourceMapFor(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) : undefined;
  if (entry?.originalSource) return `${name}  ${entry.originalSource.replace(/^.*?\/(electron|shared)\//, '$1/')}:${entry.originalLine + 1}`;
  const short = frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\//, '');
  return `${name}  ${short}:${frame.lineNumber + 1}`;
}

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
const inclusive = new Map();
let busy = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = nodes.get(profile.samples[i]);
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const name = node.callFrame.functionName;
  if (name === '(idle)' || name === '(program)') continue;
  busy += dt;
  const own = label(node.callFrame);
  self.set(own, (self.get(own) ?? 0) + dt);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const l = label(nodes.get(id).callFrame);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
}

const print = (title, map) => {
  console.log(`\n${title} (of ${busy.toFixed(0)} ms busy, idle excluded)`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
  }
};
print('self time', self);
print('inclusive time', inclusive);
