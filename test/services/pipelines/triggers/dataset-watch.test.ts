import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatasetWatch } from '../../../../electron/services/pipelines/triggers/dataset-watch';

/** A dataset in memory, with a watch source the test pokes: every await is a microtask, so fake timers rule. */
function memoryDataset(path: string) {
  const state = { content: 'v1' as string | null, listeners: new Set<() => void>() };
  return {
    state,
    hash: vi.fn(async () => {
      if (state.content === null) throw new Error('ENOENT');
      return `h(${state.content})`;
    }),
    exists: async () => state.content !== null,
    watchPath: (p: string, onEvent: () => void) => {
      expect(p).toBe(path);
      state.listeners.add(onEvent);
      return () => state.listeners.delete(onEvent);
    },
    /** A write: new content and an event, as fs.watch gives. */
    write(content: string | null) {
      state.content = content;
      for (const l of [...state.listeners]) l();
    },
  };
}

describe('dataset watch (debounce, fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once for a burst of writes, after the quiet period, with the final content', async () => {
    vi.useFakeTimers();
    const data = memoryDataset('/data/set');
    const changes: Array<[string, string]> = [];
    const baseline = vi.fn();
    const watch = new DatasetWatch({ path: '/data/set', ...data, lastHash: null, onBaseline: baseline, onChange: (h, p) => changes.push([h, p]), onProblem: () => {}, debounceMs: 2000, pollMs: 60_000 });
    watch.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(baseline).toHaveBeenCalledWith('h(v1)');
    data.hash.mockClear();

    // Five writes 500 ms apart: never 2 s of quiet until the last one.
    for (let i = 2; i <= 6; i++) {
      data.write(`v${i}`);
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(data.hash).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1600);
    expect(data.hash).toHaveBeenCalledOnce();
    expect(changes).toEqual([['h(v6)', 'h(v1)']]);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not fire for an event that leaves the content as it was', async () => {
    vi.useFakeTimers();
    const data = memoryDataset('/d');
    const onChange = vi.fn();
    const watch = new DatasetWatch({ path: '/d', ...data, lastHash: 'h(v1)', onChange, onProblem: () => {}, debounceMs: 2000, pollMs: 60_000 });
    watch.start();
    data.write('v1'); // a touch: an event, the same bytes
    await vi.advanceTimersByTimeAsync(2500);
    expect(data.hash).toHaveBeenCalledTimes(2); // the first look and the touch's
    expect(onChange).not.toHaveBeenCalled();
    watch.stop();
  });

  it('fires at start when the content changed since the recorded hash (changed while Orrery was closed)', async () => {
    vi.useFakeTimers();
    const data = memoryDataset('/d');
    const onChange = vi.fn();
    const watch = new DatasetWatch({ path: '/d', ...data, lastHash: 'h(old)', onChange, onProblem: () => {} });
    watch.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(onChange).toHaveBeenCalledWith('h(v1)', 'h(old)');
    watch.stop();
  });

  it('reports a path that disappears once, polls for it, and fires when it comes back changed', async () => {
    vi.useFakeTimers();
    const data = memoryDataset('/d');
    const onChange = vi.fn();
    const problems: string[] = [];
    const watch = new DatasetWatch({ path: '/d', ...data, lastHash: null, onChange, onProblem: (m) => problems.push(m), debounceMs: 2000, pollMs: 30_000 });
    watch.start();
    await vi.advanceTimersByTimeAsync(0);
    data.write(null);
    await vi.advanceTimersByTimeAsync(2000);
    expect(problems).toEqual(['dataset path /d is not there (deleted or moved); watching for it to come back']);
    expect(data.state.listeners.size).toBe(0); // the dead watch is closed

    // Ten polls while it is gone: one report, one timer at a time, no busy loop.
    await vi.advanceTimersByTimeAsync(300_000);
    expect(problems).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1);

    // Back with the same content: nothing to run; then a real change fires.
    data.state.content = 'v1';
    await vi.advanceTimersByTimeAsync(30_000);
    expect(onChange).not.toHaveBeenCalled();
    expect(data.state.listeners.size).toBe(1); // watching again
    data.write('v2');
    await vi.advanceTimersByTimeAsync(2000);
    expect(onChange).toHaveBeenCalledExactlyOnceWith('h(v2)', 'h(v1)');
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

/** A simple content hash of a file or folder: relative names and bytes, in name order. */
async function contentHash(root: string): Promise<string> {
  const digest = createHash('sha256');
  if (statSync(root).isFile()) return digest.update(readFileSync(root)).digest('hex');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else digest.update(`${relative(root, full)}\0`).update(readFileSync(full));
    }
  };
  walk(root);
  return digest.digest('hex');
}

describe('dataset watch (real files)', () => {
  const dirs: string[] = [];
  const watches: DatasetWatch[] = [];
  afterEach(() => {
    for (const w of watches.splice(0)) w.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A temp dataset folder with one file, and a watch on it recording what it says. */
  async function watched(pollMs: number) {
    const root = mkdtempSync(join(tmpdir(), 'orrery-dataset-watch-'));
    dirs.push(root);
    const data = join(root, 'data');
    mkdirSync(join(data, 'train'), { recursive: true });
    writeFileSync(join(data, 'train', 'a.csv'), 'x,y\n1,2\n');
    const hash = vi.fn(contentHash);
    const seen = { changes: [] as string[], problems: [] as string[], baseline: '' };
    const watch = new DatasetWatch({
      path: data,
      hash,
      lastHash: null,
      onBaseline: (h) => (seen.baseline = h),
      onChange: (h) => seen.changes.push(h),
      onProblem: (m) => seen.problems.push(m),
      debounceMs: 100,
      pollMs,
    });
    watches.push(watch);
    watch.start();
    await vi.waitFor(() => expect(seen.baseline).not.toBe(''), { timeout: 10_000 });
    return { data, hash, seen };
  }

  it('fires once for writes deep in a folder (file-system events, no poll), not for a touch', async () => {
    const { data, hash, seen } = await watched(600_000);
    for (let i = 0; i < 5; i++) writeFileSync(join(data, 'train', `b${i}.csv`), `x,y\n${i},${i}\n`);
    await vi.waitFor(() => expect(seen.changes).toHaveLength(1), { timeout: 10_000 });
    expect(seen.changes[0]).toBe(await contentHash(data));

    // A touch: the watch looks (hashes) again, and fires nothing.
    const looks = hash.mock.calls.length;
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(data, 'train', 'a.csv'), later, later);
    await vi.waitFor(() => expect(hash.mock.calls.length).toBeGreaterThan(looks), { timeout: 10_000 });
    expect(seen.changes).toHaveLength(1);
  });

  it('reports a deleted folder once and fires again when it comes back changed', async () => {
    const { data, seen } = await watched(300);
    rmSync(data, { recursive: true });
    await vi.waitFor(() => expect(seen.problems).toEqual([`dataset path ${data} is not there (deleted or moved); watching for it to come back`]), { timeout: 10_000 });

    mkdirSync(data);
    writeFileSync(join(data, 'new.csv'), 'x,y\n9,9\n');
    await vi.waitFor(() => expect(seen.changes).toHaveLength(1), { timeout: 10_000 });
    expect(seen.changes[0]).toBe(await contentHash(data));
    expect(seen.problems).toHaveLength(1);
  });

  it('watches a single file that is replaced by a rename, as editors save', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orrery-dataset-watch-'));
    dirs.push(root);
    const file = join(root, 'data.csv');
    writeFileSync(file, 'a\n1\n');
    const changes: string[] = [];
    let ready = false;
    const watch = new DatasetWatch({ path: file, hash: contentHash, lastHash: null, onBaseline: () => (ready = true), onChange: (h) => changes.push(h), onProblem: () => {}, debounceMs: 100, pollMs: 60_000 });
    watches.push(watch);
    watch.start();
    await vi.waitFor(() => expect(ready).toBe(true), { timeout: 10_000 });
    writeFileSync(join(root, 'data.csv.tmp'), 'a\n2\n');
    renameSync(join(root, 'data.csv.tmp'), file);
    await vi.waitFor(() => expect(changes).toHaveLength(1), { timeout: 10_000 });
    writeFileSync(file, 'a\n3\n');
    await vi.waitFor(() => expect(changes).toHaveLength(2), { timeout: 10_000 });
  });
});
