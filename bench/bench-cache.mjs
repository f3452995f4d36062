// Big seeded stores kept between bench runs: seeding 100k runs or 100M points takes minutes, and
// a store is only reused while the code that shaped it is unchanged. The folder is
// $ORRERY_BENCH_CACHE (default <tmp>/orrery-bench-cache); delete it to reclaim the disk.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './app-bundle.mjs';

export const cacheRoot = path.resolve(process.env.ORRERY_BENCH_CACHE ?? path.join(os.tmpdir(), 'orrery-bench-cache'));

/** A hash of every file under `dirs` (relative to the repo) plus `extra`: what a cached store depends on. */
export function sourceKey(dirs, extra = '') {
  const hash = crypto.createHash('sha256').update(extra);
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|mjs|js)$/.test(entry.name)) hash.update(path.relative(root, full)).update(fs.readFileSync(full));
    }
  };
  for (const dir of dirs) walk(path.join(root, dir));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The data dir `name` under the cache, seeded by `seed(dataDir)` unless a complete one with the
 * same `key` is there. `seed` returns facts to keep (ids, timings); they come back on reuse.
 * @returns {Promise<{ dataDir: string, reused: boolean, facts: any }>}
 */
export async function cachedStore(name, key, seed) {
  const dataDir = path.join(cacheRoot, name);
  const metaFile = path.join(cacheRoot, `${name}.json`);
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (meta.key === key && fs.existsSync(dataDir)) return { dataDir, reused: true, facts: meta.facts };
  } catch {
    // No complete store yet: seed one.
  }
  fs.rmSync(metaFile, { force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const facts = await seed(dataDir);
  // Written last: a seed that was interrupted leaves no meta, and is redone next time.
  fs.writeFileSync(metaFile, JSON.stringify({ key, facts }));
  return { dataDir, reused: false, facts };
}

/** Bytes of every file under `dir`. */
export function folderBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : entry.isFile() ? fs.statSync(full).size : 0;
  }
  return total;
}
