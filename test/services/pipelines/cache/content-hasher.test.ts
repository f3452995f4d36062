import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentHasher } from '../../../../electron/services/pipelines/cache/content-hasher';
import { openDatabase } from '../../../../electron/services/store/database';
import { tempDir } from '../../../helpers/temp-dir';

/**
 * A clock 10 s ahead: hashes made with it are as if made 10 s after the files were written, so
 * their entries are trusted (an entry read within 2 s of its file's mtime or ctime is "racy").
 */
const later = { clock: () => Date.now() + 10_000 };

function write(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe('ContentHasher', () => {
  let db: Database;
  let work: string;

  beforeEach(() => {
    db = openDatabase({ dataDir: tempDir('orrery-hash-db-') }).db;
    work = tempDir('orrery-hash-');
  });
  afterEach(() => db.close());

  it('hashes a folder the same way each time, and differently when a file, a name or an empty folder changes', async () => {
    write(path.join(work, 'data', 'a.csv'), 'x,y\n1,2\n');
    write(path.join(work, 'data', 'sub', 'b.csv'), 'x,y\n3,4\n');
    const hasher = new ContentHasher(db, later);
    const first = await hasher.hash(path.join(work, 'data'));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await new ContentHasher(db, later).hash(path.join(work, 'data'))).toBe(first);

    fs.renameSync(path.join(work, 'data', 'sub', 'b.csv'), path.join(work, 'data', 'sub', 'c.csv'));
    const renamed = await hasher.hash(path.join(work, 'data'));
    expect(renamed).not.toBe(first);

    fs.mkdirSync(path.join(work, 'data', 'empty'));
    expect(await hasher.hash(path.join(work, 'data'))).not.toBe(renamed);
  });

  it('reads an unchanged file once: later hashes come from the stat cache, also in a new hasher on the same store', async () => {
    write(path.join(work, 'data', 'a.bin'), 'a'.repeat(5000));
    write(path.join(work, 'data', 'b.bin'), 'b'.repeat(3000));
    const hasher = new ContentHasher(db, later);
    await hasher.hash(path.join(work, 'data'));
    expect(hasher.bytesRead).toBe(8000);
    await hasher.hash(path.join(work, 'data'));
    expect(hasher.bytesRead).toBe(8000);

    const afterRestart = new ContentHasher(db, later);
    await afterRestart.hash(path.join(work, 'data'));
    await afterRestart.hash(path.join(work, 'data', 'a.bin'));
    expect(afterRestart.bytesRead).toBe(0);
  });

  it('reads only the file that changed', async () => {
    write(path.join(work, 'data', 'a.bin'), 'a'.repeat(5000));
    const changed = write(path.join(work, 'data', 'b.bin'), 'b'.repeat(3000));
    const hasher = new ContentHasher(db, later);
    const before = await hasher.hash(path.join(work, 'data'));
    write(changed, 'c'.repeat(3001));
    const after = await hasher.hash(path.join(work, 'data'));
    expect(after).not.toBe(before);
    expect(hasher.bytesRead).toBe(8000 + 3001);
  });

  it('sees a rewrite that keeps the size and puts the old mtime back, by its ctime', async () => {
    const file = write(path.join(work, 'data', 'a.bin'), 'aaaa');
    // A whole-ms mtime, so putting it back with utimes restores it to the ns.
    const mtime = new Date(Date.now() - 60_000);
    fs.utimesSync(file, mtime, mtime);
    const hasher = new ContentHasher(db, later);
    const before = await hasher.hash(file);
    const { ctimeNs: ctime, mtimeNs } = fs.statSync(file, { bigint: true });
    // The ctime moves with the kernel's clock tick (a few ms): rewrite until it has moved.
    for (let content = 'b'; fs.statSync(file, { bigint: true }).ctimeNs === ctime; content = content === 'b' ? 'c' : 'b') {
      await new Promise((resolve) => setTimeout(resolve, 2));
      fs.writeFileSync(file, content.repeat(4));
      fs.utimesSync(file, mtime, mtime);
    }
    expect(fs.statSync(file, { bigint: true }).mtimeNs).toBe(mtimeNs);
    expect(fs.statSync(file).size).toBe(4);
    expect(await hasher.hash(file)).not.toBe(before);
    expect(hasher.bytesRead).toBe(8);
  });

  it('does not trust an entry read within 2 s of its file being written: it is read again until it settles', async () => {
    const file = write(path.join(work, 'fresh.bin'), 'f'.repeat(100));
    const now = new ContentHasher(db);
    await now.hash(file);
    await now.hash(file);
    expect(now.bytesRead).toBe(200);

    // Even with the mtime put well back: the ctime (set by that very change) is as fresh.
    const long = new Date(Date.now() - 60_000);
    fs.utimesSync(file, long, long);
    await now.hash(file);
    expect(now.bytesRead).toBe(300);

    const afterwards = new ContentHasher(db, later);
    await afterwards.hash(file);
    await afterwards.hash(file);
    expect(afterwards.bytesRead).toBe(100);
  });

  it('hashes symlinks by their target text without following them, so a loop does not hang', async () => {
    write(path.join(work, 'data', 'a.txt'), 'a');
    fs.symlinkSync('..', path.join(work, 'data', 'up'));
    fs.symlinkSync(path.join(work, 'data'), path.join(work, 'data', 'self'));
    fs.symlinkSync('/etc', path.join(work, 'data', 'outside'));
    const hasher = new ContentHasher(db, later);
    const first = await hasher.hash(path.join(work, 'data'));
    expect(hasher.bytesRead).toBe(1);

    fs.unlinkSync(path.join(work, 'data', 'outside'));
    fs.symlinkSync('/usr', path.join(work, 'data', 'outside'));
    expect(await hasher.hash(path.join(work, 'data'))).not.toBe(first);
  });

  it('names a path that does not exist, and a symlink loop given as the path itself', async () => {
    const hasher = new ContentHasher(db, later);
    const missing = path.join(work, 'nope', 'data.csv');
    await expect(hasher.hash(missing)).rejects.toThrow(`${missing} does not exist`);
    const throughFile = path.join(write(path.join(work, 'data.csv'), 'x'), 'part');
    await expect(hasher.hash(throughFile)).rejects.toThrow(`${throughFile} does not exist`);
    fs.symlinkSync('loop', path.join(work, 'loop'));
    await expect(hasher.hash(path.join(work, 'loop'))).rejects.toThrow(`${path.join(work, 'loop')} is a symlink loop`);
  });

  it('leaves out excluded paths and ignored folder names', async () => {
    write(path.join(work, 'ws', 'train.py'), 'print(1)');
    write(path.join(work, 'ws', 'src', 'util.py'), 'x = 1');
    const hasher = new ContentHasher(db, later);
    const options = { exclude: [path.join(work, 'ws', 'model')], ignoreNames: ['.git'] };
    const before = await hasher.hash(path.join(work, 'ws'), options);
    write(path.join(work, 'ws', 'model', 'weights.bin'), 'w');
    write(path.join(work, 'ws', '.git', 'HEAD'), 'ref');
    write(path.join(work, 'ws', 'src', '.git', 'HEAD'), 'ref');
    expect(await hasher.hash(path.join(work, 'ws'), options)).toBe(before);
    expect(hasher.bytesRead).toBe('print(1)x = 1'.length);
  });

  it('forgets cached files that were removed', async () => {
    write(path.join(work, 'data', 'a.bin'), 'a');
    const gone = write(path.join(work, 'data', 'b.bin'), 'b');
    const hasher = new ContentHasher(db, later);
    await hasher.hash(path.join(work, 'data'));
    const count = () => db.prepare('SELECT count(*) FROM pipeline_hash_cache').pluck().get();
    expect(count()).toBe(2);
    fs.unlinkSync(gone);
    await hasher.hash(path.join(work, 'data'));
    expect(count()).toBe(1);
  });

  it('reads a large file in chunks to the same hash as a whole read', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const file = path.join(work, 'big.bin');
    fs.writeFileSync(file, big);
    const chunked = await new ContentHasher(db, { chunkBytes: 64 * 1024 }).hash(file);
    const { createHash } = await import('node:crypto');
    expect(chunked).toBe(createHash('sha256').update(big).digest('hex'));
  });
});
