import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../../../shared/errors';
import { buildModelArtifact } from '../../../../electron/services/registry/oci/model-artifact';
import { FileUploadStateStore } from '../../../../electron/services/registry/oci/oci-client';
import { watchCall } from '../../../helpers/loop-and-memory-watch';
import { tempDir } from '../../../helpers/temp-dir';

/**
 * The push side of the registry limits: Orrery does not build an artifact it would refuse to pull
 * back, finds clashing paths among many files without stalling, and keeps every push's resume
 * state when several pushes save at once.
 */

const card = { name: 'limits', version: '1' };

describe('building an artifact to push', () => {
  it('refuses more files than a pull accepts layers, naming the count and the cap, before reading any', async () => {
    const files = Array.from({ length: 10_001 }, (_, i) => ({ path: `f${i}`, absPath: `/nonexistent/f${i}` }));
    const error = await buildModelArtifact(files, card).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrreryError);
    expect((error as OrreryError).code).toBe('INVALID_INPUT');
    expect((error as Error).message).toMatch(/^the model has 10001 files; .* Orrery pulls at most 10000 layers/);
  });

  it('finds a duplicate or nested path among 10,000 files at once', async () => {
    const names = Array.from({ length: 9_999 }, (_, i) => `f${String(i).padStart(5, '0')}`);
    const dup = await watchCall(() => buildModelArtifact([...names, 'f00042'].map((p) => ({ path: p, absPath: `/nonexistent/${p}` })), card));
    expect((dup.error as Error).message).toBe('"f00042" is listed twice');
    expect(dup.maxStallMs).toBeLessThan(500);

    const nested = await watchCall(() => buildModelArtifact([...names, 'f09998/inner'].map((p) => ({ path: p, absPath: `/nonexistent/${p}` })), card));
    expect((nested.error as Error).message).toBe('"f09998" and a path inside it are both listed');
    expect(nested.maxStallMs).toBeLessThan(500);
  });

  it('still builds files whose names share a prefix without being nested (a, a-b, a.txt, a/ inside nothing)', async () => {
    const dir = tempDir();
    for (const n of ['a', 'a-b', 'a.txt', 'ab']) fs.writeFileSync(path.join(dir, n), n);
    const artifact = await buildModelArtifact(
      ['a', 'a-b', 'a.txt', 'ab'].map((n) => ({ path: n, absPath: path.join(dir, n) })),
      card,
    );
    try {
      expect(artifact.blobs.map((b) => b.title ?? null)).toEqual([null, 'a', 'a-b', 'a.txt', 'ab']);
    } finally {
      await artifact.dispose();
    }
  });
});

describe('the upload-state file (<data-dir>/registry-uploads.json)', () => {
  it('keeps every entry when many pushes save their state at once', async () => {
    const file = path.join(tempDir(), 'registry-uploads.json');
    const store = new FileUploadStateStore(file);
    const keys = Array.from({ length: 40 }, (_, i) => `127.0.0.1:5000/m${i}@sha256:${String(i).padStart(64, '0')}`);
    await Promise.all(keys.map((key, i) => store.set(key, { location: `http://127.0.0.1:5000/v2/m${i}/blobs/uploads/u${i}`, offset: i })));
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { offset: number }>;
    expect(Object.keys(saved).sort()).toEqual([...keys].sort());
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toEqual({ location: `http://127.0.0.1:5000/v2/m${i}/blobs/uploads/u${i}`, offset: i });
  });

  it('reads a damaged entry as absent and drops it on the next write', async () => {
    const file = path.join(tempDir(), 'registry-uploads.json');
    fs.writeFileSync(file, JSON.stringify({ bad: { location: 'not a url', offset: 1 }, neg: { location: 'http://127.0.0.1/x', offset: -1 }, good: { location: 'http://127.0.0.1/x', offset: 5 } }));
    const store = new FileUploadStateStore(file);
    expect(await store.get('bad')).toBeNull();
    expect(await store.get('neg')).toBeNull();
    expect(await store.get('good')).toEqual({ location: 'http://127.0.0.1/x', offset: 5 });
    await store.delete('bad');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ good: { location: 'http://127.0.0.1/x', offset: 5 } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
