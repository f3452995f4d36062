import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelArtifact, modelFilesFromDir, pullModel, pushModel, type ModelArtifact } from '../../../../electron/services/registry/oci/model-artifact';
import { FileUploadStateStore, OciClient, type FetchLike } from '../../../../electron/services/registry/oci/oci-client';
import { parseReference } from '../../../../electron/services/registry/oci/reference';
import { dockerRegistryAvailable, skopeoPath, startDockerRegistry, type RunningRegistry } from '../../../helpers/docker-registry';
import { pushKilledAt } from '../../../helpers/killable-push';
import { recordingFetch, type FetchCall } from '../../../fakes/recording-fetch';
import { tempDir } from '../../../helpers/temp-dir';

/**
 * A push stopped part-way (kill -9 in the middle of a chunk or between chunks, a registry that
 * loses the upload, a damaged upload-state file) and pushed again: it resumes where the registry
 * holds the saved upload, and otherwise discards the saved state and sends that blob from the
 * start, in the same push, which succeeds. The registry (and skopeo) then hold the whole artifact.
 */
const haveRegistry = dockerRegistryAvailable();
const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
const card = { name: 'resume-model', version: '1' };

const patchedBytes = (calls: FetchCall[]): number => calls.filter((c) => c.method === 'PATCH').reduce((n, c) => n + c.bytes, 0);

function readState(file: string): Record<string, unknown> {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

function sha256File(file: string): string {
  return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

describe.skipIf(!haveRegistry)('an interrupted push, pushed again, against a real docker-registry', () => {
  let registry: RunningRegistry;
  let modelDir: string;
  let artifact: ModelArtifact;
  let weights: ModelArtifact['blobs'][number];

  beforeAll(async () => {
    registry = await startDockerRegistry();
    // Not tempDir(): that goes after each test, and every test pushes this model.
    modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-resume-model-'));
    fs.writeFileSync(path.join(modelDir, 'README.md'), '# resumable\n');
    fs.writeFileSync(path.join(modelDir, 'weights.bin'), randomBytes(24 * MiB));
    artifact = await buildModelArtifact(await modelFilesFromDir(modelDir), card);
    weights = artifact.blobs.find((b) => b.title === 'weights.bin')!;
  });
  afterAll(async () => {
    await artifact?.dispose();
    if (modelDir) fs.rmSync(modelDir, { recursive: true, force: true });
    await registry?.stop();
  });

  /** The same client options as the killed child, reading and writing `stateFile`. */
  function client(stateFile: string, fetchImpl?: FetchLike): OciClient {
    return new OciClient({ chunkSize: CHUNK, chunkThreshold: MiB, uploadStateStore: new FileUploadStateStore(stateFile), ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  }

  function killedPush(repository: string, stateFile: string, patch: number, at: 'before' | 'middle'): Promise<void> {
    return pushKilledAt({ reference: `${registry.host}/${repository}:v1`, modelDir, card, stateFile, chunkSize: CHUNK, chunkThreshold: MiB, patch, at });
  }

  /** The registry holds the whole artifact: the manifest by tag, and every blob, verified on pull; skopeo agrees. */
  async function expectComplete(repository: string): Promise<void> {
    const reference = `${registry.host}/${repository}:v1`;
    const into = path.join(tempDir(), 'pulled');
    const pulled = await pullModel(new OciClient(), parseReference(reference), into);
    expect(pulled.digest).toBe(artifact.manifestDigest);
    expect(sha256File(path.join(into, 'weights.bin'))).toBe(weights.digest);
    expect(fs.readFileSync(registry.blobDataPath(weights.digest)).length).toBe(24 * MiB);
    const skopeo = skopeoPath();
    if (!skopeo) {
      console.warn('*** skopeo not installed (apt-get install -y skopeo): checked with our own pull only ***');
      return;
    }
    const raw = execFileSync(skopeo, ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]);
    expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(artifact.manifestDigest);
    // skopeo copies every blob and checks each against its digest.
    const copy = path.join(tempDir(), 'copy');
    execFileSync(skopeo, ['copy', '--quiet', '--src-tls-verify=false', `docker://${reference}`, `dir:${copy}`], { stdio: 'pipe' });
    expect(sha256File(path.join(copy, weights.digest.slice('sha256:'.length)))).toBe(weights.digest);
  }

  it('killed (SIGKILL) in the middle of a chunk: the registry refuses the saved upload, so the next push sends that blob again from the start, once, and succeeds', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    const key = `${registry.host}/killed/middle@${weights.digest}`;
    await killedPush('killed/middle', stateFile, 3, 'middle');
    // Two chunks acknowledged; half of the third reached the registry, which no saved state knows.
    expect(readState(stateFile)[key]).toMatchObject({ offset: 2 * CHUNK });

    const rec = recordingFetch();
    const result = await pushModel(client(stateFile, rec.fetch), parseReference(`${registry.host}/killed/middle:v1`), artifact);
    expect(result.digest).toBe(artifact.manifestDigest);
    // It asked about the saved upload first, was refused, and sent the whole blob exactly once.
    expect(rec.calls.some((c) => c.method === 'GET' && c.url.includes('/blobs/uploads/'))).toBe(true);
    expect(patchedBytes(rec.calls)).toBe(weights.size);
    expect(readState(stateFile)).toEqual({});
    await expectComplete('killed/middle');
  });

  it('killed (SIGKILL) between chunks: the next push resumes and sends only the rest', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    await killedPush('killed/between', stateFile, 4, 'before');
    expect(readState(stateFile)[`${registry.host}/killed/between@${weights.digest}`]).toMatchObject({ offset: 3 * CHUNK });

    const rec = recordingFetch();
    const result = await pushModel(client(stateFile, rec.fetch), parseReference(`${registry.host}/killed/between:v1`), artifact);
    expect(result.digest).toBe(artifact.manifestDigest);
    expect(patchedBytes(rec.calls)).toBe(weights.size - 3 * CHUNK);
    expect(result.bytesSent).toBe(weights.size - 3 * CHUNK);
    expect(readState(stateFile)).toEqual({});
    await expectComplete('killed/between');
  });

  it('killed (SIGKILL) before its first chunk went out: the next push succeeds and the blob is intact', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    await killedPush('killed/first', stateFile, 1, 'before');
    const rec = recordingFetch();
    const result = await pushModel(client(stateFile, rec.fetch), parseReference(`${registry.host}/killed/first:v1`), artifact);
    expect(result.digest).toBe(artifact.manifestDigest);
    expect(patchedBytes(rec.calls)).toBe(weights.size);
    expect(readState(stateFile)).toEqual({});
    await expectComplete('killed/first');
  });

  it('an empty saved upload (docker-registry reports it as Range 0-0) resumes from byte 0, not 1', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    const started = await fetch(`${registry.url}/v2/empty/upload/blobs/uploads/`, { method: 'POST' });
    expect(started.status).toBe(202);
    const location = new URL(started.headers.get('location')!, registry.url).toString();
    fs.writeFileSync(stateFile, JSON.stringify({ [`${registry.host}/empty/upload@${weights.digest}`]: { location, offset: 0 } }));

    const result = await pushModel(client(stateFile), parseReference(`${registry.host}/empty/upload:v1`), artifact);
    expect(result.digest).toBe(artifact.manifestDigest);
    expect(readState(stateFile)).toEqual({});
    await expectComplete('empty/upload');
  });

  it('a saved upload the registry loses after saying where it stood (PATCH 404) is discarded and the blob sent from the start in the same push', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    await killedPush('lost/upload', stateFile, 3, 'before');
    let cancelled = false;
    const rec = recordingFetch(async (call) => {
      // The registry expires the upload right after the status check: cancel it there for real.
      if (!cancelled && call.method === 'PATCH') {
        cancelled = true;
        const del = await fetch(call.url, { method: 'DELETE' });
        expect(del.status).toBe(204);
      }
      return null;
    });
    const result = await pushModel(client(stateFile, rec.fetch), parseReference(`${registry.host}/lost/upload:v1`), artifact);
    expect(result.digest).toBe(artifact.manifestDigest);
    expect(readState(stateFile)).toEqual({});
    // The refused chunk, then the whole blob from a new upload.
    expect(rec.calls.filter((c) => c.method === 'POST' && c.url.includes('/blobs/uploads/'))).toHaveLength(1);
    expect(patchedBytes(rec.calls)).toBe(CHUNK + weights.size);
    await expectComplete('lost/upload');
  });

  it('a saved upload answered 416 and then lost is discarded and the blob sent from the start in the same push', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    await killedPush('range/upload', stateFile, 3, 'before');
    let answered = false;
    const rec = recordingFetch(async (call) => {
      if (answered || call.method !== 'PATCH') return null;
      answered = true;
      // A registry checking Content-Range (distribution 3) answers 416 when out of step; this one also lost the upload.
      await fetch(call.url, { method: 'DELETE' });
      return new Response(JSON.stringify({ errors: [{ code: 'BLOB_UPLOAD_INVALID', message: 'range not satisfiable' }] }), { status: 416 });
    });
    const result = await pushModel(client(stateFile, rec.fetch), parseReference(`${registry.host}/range/upload:v1`), artifact);
    expect(result.digest).toBe(artifact.manifestDigest);
    expect(readState(stateFile)).toEqual({});
    await expectComplete('range/upload');
  });

  it('a damaged upload-state file is discarded and the push succeeds', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    const key = `${registry.host}/damaged/state@${weights.digest}`;
    fs.writeFileSync(stateFile, JSON.stringify({ [key]: { location: 42, offset: 'half' }, 'elsewhere/x@sha256:0': 'garbage' }));
    const result = await pushModel(client(stateFile), parseReference(`${registry.host}/damaged/state:v1`), artifact);
    expect(result.digest).toBe(artifact.manifestDigest);
    expect(readState(stateFile)).toEqual({});

    // A location the registry never issued (a bad state token): refused by the registry, discarded.
    fs.writeFileSync(stateFile, JSON.stringify({ [`${registry.host}/damaged/token@${weights.digest}`]: { location: `${registry.url}/v2/damaged/token/blobs/uploads/0000?_state=bogus`, offset: CHUNK } }));
    const again = await pushModel(client(stateFile), parseReference(`${registry.host}/damaged/token:v1`), artifact);
    expect(again.digest).toBe(artifact.manifestDigest);
    expect(readState(stateFile)).toEqual({});

    // Not JSON at all.
    fs.writeFileSync(stateFile, '{"truncated": ');
    const third = await pushModel(client(stateFile), parseReference(`${registry.host}/damaged/json:v1`), artifact);
    expect(third.digest).toBe(artifact.manifestDigest);
    await expectComplete('damaged/state');
  });

  it('a fresh upload the registry refuses still fails with its message (no endless restarts)', async () => {
    const stateFile = path.join(tempDir(), 'registry-uploads.json');
    const rec = recordingFetch((call) =>
      Promise.resolve(
        call.method === 'PATCH'
          ? new Response(JSON.stringify({ errors: [{ code: 'BLOB_UPLOAD_UNKNOWN', message: 'blob upload unknown to registry' }] }), { status: 404 })
          : null,
      ),
    );
    const err = await pushModel(client(stateFile, rec.fetch), parseReference(`${registry.host}/refused/fresh:v1`), artifact).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`registry ${registry.host} refused a chunk of blob ${weights.digest}: HTTP 404: BLOB_UPLOAD_UNKNOWN: blob upload unknown to registry`);
    expect(rec.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
    expect(readState(stateFile)).toEqual({});
  });
});
