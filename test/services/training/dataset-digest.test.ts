import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetDigest, type DigestProgress } from '../../../electron/services/training/dataset-digest';
import { tempDir } from '../../helpers/temp-dir';
import { watchLoopAndMemory } from '../../helpers/loop-and-memory-watch';

/** The digest as it was computed before hashing moved off the request path (runs recorded then keep matching). */
function previousDigest(root: string): string {
  const hash = createHash('sha256');
  const list = (prefix: string): string[] =>
    fs
      .readdirSync(path.join(root, prefix), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => {
        const relative = prefix ? `${prefix}/${e.name}` : e.name;
        return e.isDirectory() ? list(relative) : e.isFile() ? [relative] : [];
      });
  const files = fs.statSync(root).isDirectory() ? list('') : [''];
  for (const relative of files) {
    const full = relative ? path.join(root, relative) : root;
    hash.update(`${relative}\0${fs.statSync(full).size}\0`);
    hash.update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 36);
}

function dataset(): string {
  const root = tempDir('orrery-digest-');
  fs.mkdirSync(path.join(root, 'b/nested'), { recursive: true });
  fs.writeFileSync(path.join(root, 'a.csv'), 'x,y\n1,2\n');
  fs.writeFileSync(path.join(root, 'B.txt'), 'upper');
  fs.writeFileSync(path.join(root, 'b/nested/c.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 7));
  fs.writeFileSync(path.join(root, 'b/empty'), '');
  return root;
}

describe('dataset digest', () => {
  it('is the same digest as before for folders and single files, 36 hex characters', async () => {
    const root = dataset();
    expect(await datasetDigest(root)).toBe(previousDigest(root));
    expect(await datasetDigest(path.join(root, 'a.csv'))).toBe(previousDigest(path.join(root, 'a.csv')));
    expect(await datasetDigest(root)).toMatch(/^[0-9a-f]{36}$/);
  });

  it('changes when a byte changes', async () => {
    const root = dataset();
    const before = await datasetDigest(root);
    fs.appendFileSync(path.join(root, 'b/nested/c.bin'), 'x');
    expect(await datasetDigest(root)).not.toBe(before);
  });

  it('reports progress: the file count once listed, then files and bytes done', async () => {
    const root = dataset();
    const seen: DigestProgress[] = [];
    await datasetDigest(root, { onProgress: (p) => seen.push(p) });
    expect(seen[0]).toEqual({ filesDone: 0, filesTotal: 4, bytesDone: 0 });
    expect(seen.at(-1)).toEqual({ filesDone: 4, filesTotal: 4, bytesDone: 8 + 5 + 3 * 1024 * 1024 + 17 });
    // The 3 MiB file reported between its chunks too.
    expect(seen.some((p) => p.filesDone === 2 && p.bytesDone > 13 && p.bytesDone < 13 + 3 * 1024 * 1024)).toBe(true);
  });

  it('refuses a FIFO at the root or inside a folder, naming it, without ever blocking on it', async () => {
    const root = dataset();
    const fifo = path.join(root, 'b/pipe');
    execFileSync('mkfifo', [fifo]);
    await expect(datasetDigest(fifo)).rejects.toThrow(`'${fifo}' is a FIFO (named pipe); a dataset is hashed from regular files only`);
    await expect(datasetDigest(root)).rejects.toThrow(`'${fifo}' is a FIFO (named pipe)`);
    await expect(datasetDigest('/dev/zero')).rejects.toThrow("'/dev/zero' is a character device");
  });

  it('does not follow symlinks inside a folder: what they point at outside is not read, only where they point', async () => {
    const root = dataset();
    const outside = path.join(tempDir(), 'secret.txt');
    fs.writeFileSync(outside, 'outside the dataset');
    fs.symlinkSync(outside, path.join(root, 'link'));
    fs.symlinkSync('/dev/zero', path.join(root, 'zero'));
    const seen: DigestProgress[] = [];
    const first = await datasetDigest(root, { onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)!.bytesDone).toBe(8 + 5 + 3 * 1024 * 1024 + 17); // nothing read through the links
    fs.writeFileSync(outside, 'changed');
    expect(await datasetDigest(root)).toBe(first);
    fs.unlinkSync(path.join(root, 'link'));
    fs.symlinkSync('/etc/hostname', path.join(root, 'link'));
    expect(await datasetDigest(root)).not.toBe(first);
  });

  it('stops when aborted, between two reads of a large file', async () => {
    const root = tempDir('orrery-digest-');
    const big = path.join(root, 'big.bin');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 8 * 1024 ** 3); // sparse: 8 GiB of zeros, seconds to hash
    const controller = new AbortController();
    let bytes = 0;
    const started = Date.now();
    const digest = datasetDigest(root, {
      signal: controller.signal,
      onProgress: (p) => {
        bytes = p.bytesDone;
        if (p.bytesDone >= 8 * 1024 * 1024) controller.abort(new Error('stop'));
      },
    });
    await expect(digest).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(bytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('keeps the event loop turning while it hashes many files', async () => {
    const root = tempDir('orrery-digest-');
    for (let d = 0; d < 20; d++) {
      fs.mkdirSync(path.join(root, `d${d}`));
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(root, `d${d}`, `f${f}`), `${d}/${f}`);
    }
    const watch = watchLoopAndMemory(5);
    await datasetDigest(root);
    expect(watch.stop().maxStallMs).toBeLessThan(500); // generous: other test files share these CPUs
  });
});
