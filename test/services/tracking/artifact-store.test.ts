import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../../shared/errors';
import { parseArtifactPath } from '../../../shared/artifact-path';
import { ArtifactStore } from '../../../electron/services/tracking/artifact-store';
import { tempDir } from '../../helpers/temp-dir';

const RUN = '0123456789abcdef0123456789abcdef';
const SIBLING = 'fedcba9876543210fedcba9876543210';
const symlinks = process.platform !== 'win32'; // creating symlinks on Windows needs privileges

/** A data dir with an artifacts root, and a sibling run that already holds a file. */
function setup() {
  const dataDir = tempDir();
  const root = path.join(dataDir, 'artifacts');
  const store = new ArtifactStore(root);
  const siblingFile = path.join(root, '13', SIBLING, 'artifacts', 'keep.txt');
  fs.mkdirSync(path.dirname(siblingFile), { recursive: true });
  fs.writeFileSync(siblingFile, 'sibling');
  return { dataDir, root, store, runRoot: store.runRoot('13', RUN) };
}

/** Every path under `dir` with its contents, to show that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const stats = fs.lstatSync(path.join(dir, rel));
    out[rel] = stats.isFile() ? fs.readFileSync(path.join(dir, rel), 'utf8') : stats.isDirectory() ? '<dir>' : '<other>';
  }
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<OrreryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrreryError);
  return error as OrreryError;
}

/** A body that sends some bytes and then fails, like a client that disconnects mid-upload. */
function failingStream(): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(64 * 1024, 'x'));
      } else this.destroy(new Error('client went away'));
    },
  });
}

describe('ArtifactStore round trips', () => {
  it('writes a buffer and reads it back with its size', async () => {
    const { store, runRoot } = setup();
    expect(await store.write('13', RUN, ['notes.txt'], Buffer.from('hello'))).toEqual({ size: 5 });
    const opened = await store.open('13', RUN, ['notes.txt']);
    expect(opened.size).toBe(5);
    expect(opened.file).toBe(path.join(runRoot, 'notes.txt'));
    expect(await text(opened.stream)).toBe('hello');
  });

  it('writes a stream into nested folders it creates', async () => {
    const { store, runRoot } = setup();
    const body = Readable.from([Buffer.from('a,b\n'), Buffer.from('1,2\n')]);
    expect(await store.write('13', RUN, ['model', 'data', 'train.csv'], body)).toEqual({ size: 8 });
    expect(fs.readFileSync(path.join(runRoot, 'model', 'data', 'train.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it('replaces an existing file', async () => {
    const { store } = setup();
    await store.write('13', RUN, ['notes.txt'], Buffer.from('old'));
    await store.write('13', RUN, ['notes.txt'], Buffer.from('newer'));
    expect(await text((await store.open('13', RUN, ['notes.txt'])).stream)).toBe('newer');
  });

  it('lists one level, sorted, folders with a null size', async () => {
    const { store } = setup();
    await store.write('13', RUN, ['model', 'weights.bin'], Buffer.alloc(10));
    await store.write('13', RUN, ['model', 'sub', 'deep.txt'], Buffer.from('x'));
    await store.write('13', RUN, ['b.txt'], Buffer.from('bb'));
    await store.write('13', RUN, ['a.txt'], Buffer.from('a'));
    expect(await store.list('13', RUN, [])).toEqual([
      { path: 'a.txt', isDir: false, size: 1 },
      { path: 'b.txt', isDir: false, size: 2 },
      { path: 'model', isDir: true, size: null },
    ]);
    expect(await store.list('13', RUN, ['model'])).toEqual([
      { path: 'model/sub', isDir: true, size: null },
      { path: 'model/weights.bin', isDir: false, size: 10 },
    ]);
    expect(await store.totalSize('13', RUN)).toBe(14);
  });

  it('lists a missing folder (or a run with no artifacts) as empty', async () => {
    const { store } = setup();
    expect(await store.list('13', RUN, [])).toEqual([]);
    expect(await store.list('13', RUN, ['nothing', 'here'])).toEqual([]);
    expect(await store.totalSize('13', RUN)).toBe(0);
  });

  it('removes files, folders and the whole run; removing nothing is fine', async () => {
    const { store, runRoot } = setup();
    await store.write('13', RUN, ['a.txt'], Buffer.from('a'));
    await store.write('13', RUN, ['model', 'w.bin'], Buffer.from('w'));
    await store.remove('13', RUN, ['a.txt']);
    expect(await store.list('13', RUN, [])).toEqual([{ path: 'model', isDir: true, size: null }]);
    await store.remove('13', RUN, ['model']);
    expect(await store.list('13', RUN, [])).toEqual([]);
    await store.remove('13', RUN, ['missing']);
    await store.write('13', RUN, ['b.txt'], Buffer.from('b'));
    await store.remove('13', RUN, []);
    expect(fs.existsSync(runRoot)).toBe(false);
  });

  it('works from segments parsed out of an encoded URL path', async () => {
    const { store } = setup();
    await store.write('13', RUN, parseArtifactPath('my%20model/notes.txt', { encoded: true }), Buffer.from('n'));
    expect(await store.list('13', RUN, parseArtifactPath('my model', { encoded: false }))).toEqual([
      { path: 'my model/notes.txt', isDir: false, size: 1 },
    ]);
  });
});

describe('ArtifactStore errors', () => {
  it('opening a missing file is NOT_FOUND, a folder INVALID_INPUT', async () => {
    const { store } = setup();
    await store.write('13', RUN, ['model', 'w.bin'], Buffer.from('w'));
    expect((await rejection(store.open('13', RUN, ['missing.txt']))).code).toBe('NOT_FOUND');
    expect((await rejection(store.open('13', RUN, ['model', 'w.bin', 'below']))).code).toBe('NOT_FOUND');
    expect((await rejection(store.open('13', RUN, ['model']))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.open('13', RUN, []))).code).toBe('INVALID_INPUT');
  });

  it('listing a file is INVALID_INPUT', async () => {
    const { store } = setup();
    await store.write('13', RUN, ['a.txt'], Buffer.from('a'));
    expect((await rejection(store.list('13', RUN, ['a.txt']))).code).toBe('INVALID_INPUT');
  });

  it('refuses writing onto a folder, below a file, or at the root', async () => {
    const { store, runRoot } = setup();
    await store.write('13', RUN, ['model', 'w.bin'], Buffer.from('w'));
    expect((await rejection(store.write('13', RUN, ['model'], Buffer.from('x')))).message).toContain('is a folder');
    expect((await rejection(store.write('13', RUN, ['model', 'w.bin', 'x'], Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.write('13', RUN, [], Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect(fs.readdirSync(path.join(runRoot, 'model'))).toEqual(['w.bin']);
  });
});

describe('ArtifactStore confinement', () => {
  it.each([
    ['..', RUN],
    ['../13', RUN],
    ['13/../..', RUN],
    ['', RUN],
    ['-1', RUN],
    ['13', '..'],
    ['13', `../${SIBLING}`],
    ['13', RUN.toUpperCase()],
    ['13', `${RUN}/..`],
    ['13', RUN.slice(2)],
  ])('refuses experiment %j / run %j and creates nothing', async (experimentId, runId) => {
    const { dataDir, store } = setup();
    const before = snapshot(dataDir);
    expect((await rejection(store.write(experimentId, runId, ['x.txt'], Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.list(experimentId, runId, []))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.remove(experimentId, runId, []))).code).toBe('INVALID_INPUT');
    expect(snapshot(dataDir)).toEqual(before);
  });

  // Segments handed straight to the store, as a caller that forgot to parse would.
  it.each([
    [['..', 'x.txt']],
    [['..', SIBLING, 'artifacts', 'keep.txt']],
    [['..', '..', '..', 'escape.txt']],
    [['model', '..', '..', 'x.txt']],
    [['../../x.txt']],
    [['/tmp/x.txt']],
    [['C:', 'x.txt']],
    [['a\\..\\..\\x.txt']],
    [['%2e%2e', 'x.txt']],
    [['']],
    [['.']],
    [['x\0.txt']],
  ])('refuses unsafe segments %j for every operation, leaving the data dir untouched', async (segments) => {
    const { dataDir, store } = setup();
    const before = snapshot(dataDir);
    expect((await rejection(store.write('13', RUN, segments, Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.write('13', RUN, segments, Readable.from(['x'])))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.open('13', RUN, segments))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.list('13', RUN, segments))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.remove('13', RUN, segments))).code).toBe('INVALID_INPUT');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it.each(['../keep.txt', '%2e%2e/%2e%2e/x', '%252e%252e/x', '..%5c..%5cx', '%2fetc%2fpasswd', 'a%00b'])(
    'a refused URL path %j never reaches the disk',
    async (raw) => {
      const { dataDir, store } = setup();
      const before = snapshot(dataDir);
      const attempt = async () => store.write('13', RUN, parseArtifactPath(raw, { encoded: true }), Buffer.from('x'));
      expect((await rejection(attempt())).code).toBe('INVALID_INPUT');
      expect(snapshot(dataDir)).toEqual(before);
    },
  );

  it('refuses the names it uses for uploads in progress', async () => {
    const { store } = setup();
    expect((await rejection(store.write('13', RUN, ['.orrery-partial-x'], Buffer.from('x')))).code).toBe('INVALID_INPUT');
  });
});

describe.skipIf(!symlinks)('ArtifactStore symlinks', () => {
  it('refuses a folder symlink inside the run that points outside', async () => {
    const { store, runRoot } = setup();
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.mkdirSync(runRoot, { recursive: true });
    fs.symlinkSync(outside, path.join(runRoot, 'link'));

    expect((await rejection(store.write('13', RUN, ['link', 'planted.txt'], Buffer.from('x')))).message).toContain('symlink');
    expect((await rejection(store.write('13', RUN, ['link', 'deeper', 'planted.txt'], Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.open('13', RUN, ['link', 'secret.txt']))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.list('13', RUN, ['link']))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.remove('13', RUN, ['link', 'secret.txt']))).code).toBe('INVALID_INPUT');
    expect(snapshot(outside)).toEqual({ 'secret.txt': 'secret' });
    // The listing of the run leaves the symlink out rather than describing what lies beyond it.
    expect(await store.list('13', RUN, [])).toEqual([]);
  });

  it('refuses a file symlink that points outside, for reading and for overwriting', async () => {
    const { store, runRoot } = setup();
    const outside = tempDir();
    const secret = path.join(outside, 'passwd');
    fs.writeFileSync(secret, 'root:x:0:0');
    fs.mkdirSync(runRoot, { recursive: true });
    fs.symlinkSync(secret, path.join(runRoot, 'passwd'));

    expect((await rejection(store.open('13', RUN, ['passwd']))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.write('13', RUN, ['passwd'], Buffer.from('pwned')))).code).toBe('INVALID_INPUT');
    expect(fs.readFileSync(secret, 'utf8')).toBe('root:x:0:0');
  });

  it('refuses a dangling symlink, whose target could appear later', async () => {
    const { store, runRoot } = setup();
    const outside = tempDir();
    fs.mkdirSync(runRoot, { recursive: true });
    fs.symlinkSync(path.join(outside, 'not-yet'), path.join(runRoot, 'dangling'));

    expect((await rejection(store.write('13', RUN, ['dangling'], Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect((await rejection(store.write('13', RUN, ['dangling', 'x.txt'], Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('refuses a run folder that is itself a symlink to elsewhere', async () => {
    const { root, store } = setup();
    const outside = tempDir();
    fs.mkdirSync(path.join(root, '13'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, '13', RUN));

    expect((await rejection(store.write('13', RUN, ['x.txt'], Buffer.from('x')))).code).toBe('INVALID_INPUT');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('allows a symlink that stays inside the run', async () => {
    const { store, runRoot } = setup();
    await store.write('13', RUN, ['model', 'w.bin'], Buffer.from('w'));
    fs.symlinkSync(path.join(runRoot, 'model'), path.join(runRoot, 'alias'));
    fs.symlinkSync(path.join(runRoot, 'model', 'w.bin'), path.join(runRoot, 'w-alias'));
    expect(await store.list('13', RUN, ['alias'])).toEqual([{ path: 'alias/w.bin', isDir: false, size: 1 }]);
    expect(await text((await store.open('13', RUN, ['alias', 'w.bin'])).stream)).toBe('w');
    expect(await text((await store.open('13', RUN, ['w-alias'])).stream)).toBe('w');
    // Writing "onto" a folder through its alias must not replace the symlink with a file.
    expect((await rejection(store.write('13', RUN, ['alias'], Buffer.from('x')))).message).toContain('is a folder');
    expect(await store.list('13', RUN, [])).toEqual([{ path: 'model', isDir: true, size: null }]);
  });

  it('works when the artifacts root itself is reached through a symlink', async () => {
    const real = tempDir();
    const linkParent = tempDir();
    fs.symlinkSync(real, path.join(linkParent, 'artifacts'));
    const store = new ArtifactStore(path.join(linkParent, 'artifacts'));
    await store.write('13', RUN, ['a.txt'], Buffer.from('a'));
    expect(fs.readFileSync(path.join(real, '13', RUN, 'artifacts', 'a.txt'), 'utf8')).toBe('a');
  });
});

describe('ArtifactStore atomic writes', () => {
  it('leaves no temp file behind after a successful write', async () => {
    const { store, runRoot } = setup();
    await store.write('13', RUN, ['model', 'a.bin'], Buffer.from('a'));
    await store.write('13', RUN, ['model', 'b.bin'], Readable.from([Buffer.from('b')]));
    expect(fs.readdirSync(path.join(runRoot, 'model')).sort()).toEqual(['a.bin', 'b.bin']);
  });

  it('a stream that fails midway leaves neither the file nor a temp file', async () => {
    const { store, runRoot } = setup();
    await expect(store.write('13', RUN, ['model', 'big.bin'], failingStream())).rejects.toThrow('client went away');
    expect(fs.readdirSync(path.join(runRoot, 'model'))).toEqual([]);
  });

  it('a stream that fails before its first byte leaves nothing behind', async () => {
    const { store, runRoot } = setup();
    const body = new Readable({ read() { this.destroy(new Error('early')); } });
    await expect(store.write('13', RUN, ['early.bin'], body)).rejects.toThrow('early');
    expect(fs.readdirSync(runRoot)).toEqual([]);
  });

  it('a failed overwrite keeps the old file whole', async () => {
    const { store, runRoot } = setup();
    await store.write('13', RUN, ['model', 'big.bin'], Buffer.from('old'));
    await expect(store.write('13', RUN, ['model', 'big.bin'], failingStream())).rejects.toThrow('client went away');
    expect(fs.readdirSync(path.join(runRoot, 'model'))).toEqual(['big.bin']);
    expect(fs.readFileSync(path.join(runRoot, 'model', 'big.bin'), 'utf8')).toBe('old');
  });

  it('hides an upload in progress from listings', async () => {
    const { store, runRoot } = setup();
    await store.write('13', RUN, ['a.txt'], Buffer.from('a'));
    fs.writeFileSync(path.join(runRoot, '.orrery-partial-1234'), 'half');
    expect(await store.list('13', RUN, [])).toEqual([{ path: 'a.txt', isDir: false, size: 1 }]);
  });
});
