import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ArtifactStore, PARTIAL_PREFIX } from '../../../electron/services/tracking/artifact-store';
import { sweepPartialArtifacts } from '../../../electron/services/tracking/partial-artifacts';
import { waitFor } from '../../helpers/server-process';
import { tempDir } from '../../helpers/temp-dir';

const RUN_A = '0123456789abcdef0123456789abcdef';
const RUN_B = 'fedcba9876543210fedcba9876543210';

function put(file: string, body = 'x'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
  return file;
}

describe('the start-up sweep of partial artifacts', () => {
  it('removes the temp files of interrupted uploads in every run, and nothing else', async () => {
    const root = path.join(tempDir(), 'artifacts');
    const store = new ArtifactStore(root);
    const a = store.runRoot('1', RUN_A);
    const b = store.runRoot('2', RUN_B);
    const leftovers = [put(path.join(a, `${PARTIAL_PREFIX}1111`)), put(path.join(b, 'model', 'data', `${PARTIAL_PREFIX}2222`))].sort();
    const kept = [
      put(path.join(a, 'metrics.json')),
      put(path.join(b, 'model', 'MLmodel')),
      put(path.join(b, 'model', 'data', 'orrery-partial-not-hidden')),
      put(path.join(b, `x${PARTIAL_PREFIX}`)),
    ];
    // Only regular files: a folder with the prefix, and a symlink with it (to a file outside), stay.
    fs.mkdirSync(path.join(a, `${PARTIAL_PREFIX}folder`));
    const outside = put(path.join(tempDir(), 'outside.txt'), 'not ours');
    fs.symlinkSync(outside, path.join(a, `${PARTIAL_PREFIX}link`));

    const found = await sweepPartialArtifacts(store);
    expect(found.removed.partialArtifacts?.sort()).toEqual(leftovers);
    expect(found.failed).toEqual([]);
    for (const file of leftovers) expect(fs.existsSync(file)).toBe(false);
    for (const file of kept) expect(fs.existsSync(file)).toBe(true);
    expect(fs.existsSync(path.join(a, `${PARTIAL_PREFIX}folder`))).toBe(true);
    expect(fs.readFileSync(outside, 'utf8')).toBe('not ours');
    expect(fs.lstatSync(path.join(a, `${PARTIAL_PREFIX}link`)).isSymbolicLink()).toBe(true);
  });

  it('leaves an upload in progress in this process alone; the upload then completes', async () => {
    const root = path.join(tempDir(), 'artifacts');
    const store = new ArtifactStore(root);
    const body = new PassThrough();
    const writing = store.write('1', RUN_A, ['model', 'weights.bin'], body);
    body.write(Buffer.alloc(1000, 1));
    const dir = path.join(store.runRoot('1', RUN_A), 'model');
    const temp = await waitFor('the upload to be writing', () => {
      const name = fs.existsSync(dir) ? fs.readdirSync(dir).find((n) => n.startsWith(PARTIAL_PREFIX)) : undefined;
      return name && fs.statSync(path.join(dir, name)).size === 1000 ? path.join(dir, name) : undefined;
    });
    const crashed = put(path.join(dir, `${PARTIAL_PREFIX}left-by-a-crash`));

    const found = await sweepPartialArtifacts(store);
    expect(found.removed.partialArtifacts).toEqual([crashed]);
    expect(fs.existsSync(temp)).toBe(true);

    body.end(Buffer.alloc(24, 2));
    expect(await writing).toEqual({ size: 1024 });
    expect(await store.list('1', RUN_A, ['model'])).toEqual([{ path: 'model/weights.bin', isDir: false, size: 1024 }]);
    expect(fs.readdirSync(dir)).toEqual(['weights.bin']);
  });

  it('stops when the app closes, and a missing artifacts root is nothing to sweep', async () => {
    const store = new ArtifactStore(path.join(tempDir(), 'artifacts'));
    expect(await sweepPartialArtifacts(store)).toEqual({ removed: { partialArtifacts: [] }, failed: [] });
    const leftover = put(path.join(store.runRoot('1', RUN_A), `${PARTIAL_PREFIX}1`));
    expect((await sweepPartialArtifacts(store, () => true)).removed.partialArtifacts).toEqual([]);
    expect(fs.existsSync(leftover)).toBe(true);
  });
});
