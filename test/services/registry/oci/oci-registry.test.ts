import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrreryError } from '../../../../shared/errors';
import { dockerConfigCredentials, staticCredentials } from '../../../../electron/services/registry/oci/credentials';
import { buildModelArtifact, MODEL_ARTIFACT_TYPE, modelFilesFromDir, pullModel, pushModel, type ModelArtifact } from '../../../../electron/services/registry/oci/model-artifact';
import { FileUploadStateStore, OciClient } from '../../../../electron/services/registry/oci/oci-client';
import { parseReference } from '../../../../electron/services/registry/oci/reference';
import {
  BASIC_PASSWORD,
  BASIC_USER,
  dockerRegistryAvailable,
  freePort,
  skopeoPath,
  startDockerRegistry,
  startTokenServer,
  type RunningRegistry,
  type TokenServer,
} from '../../../helpers/docker-registry';
import { recordingFetch, type FetchCall } from '../../../fakes/recording-fetch';
import { tempDir } from '../../../helpers/temp-dir';

const haveRegistry = dockerRegistryAvailable();
const MiB = 1024 * 1024;

const blobWrites = (calls: FetchCall[]): FetchCall[] => calls.filter((c) => (c.method === 'PUT' || c.method === 'PATCH') && c.url.includes('/blobs/uploads/'));

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function listTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const n of fs.readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    if (fs.statSync(path.join(dir, r)).isDirectory()) out.push(...listTree(dir, r));
    else out.push(r);
  }
  return out;
}

function expectSameTree(a: string, b: string): void {
  expect(listTree(b)).toEqual(listTree(a));
  for (const f of listTree(a)) expect(sha(path.join(b, f)), f).toBe(sha(path.join(a, f)));
}

const card = { name: 'resnet-tiny', version: '3', metrics: { accuracy: 0.91 }, framework: 'pytorch' };

describe.skipIf(!haveRegistry)('OCI client against a real docker-registry', () => {
  let modelDir: string;
  let artifact: ModelArtifact;
  let registry: RunningRegistry;

  beforeAll(async () => {
    modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-model-'));
    fs.writeFileSync(path.join(modelDir, 'README.md'), '# tiny model\n');
    fs.mkdirSync(path.join(modelDir, 'tokenizer', 'vocab'), { recursive: true });
    fs.writeFileSync(path.join(modelDir, 'tokenizer', 'config.json'), '{"lower":true}');
    fs.writeFileSync(path.join(modelDir, 'tokenizer', 'vocab', 'words.txt'), 'a\nb\nc\n');
    fs.writeFileSync(path.join(modelDir, 'weights.bin'), randomBytes(20 * MiB));
    artifact = await buildModelArtifact(await modelFilesFromDir(modelDir), card);
    registry = await startDockerRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
    await artifact?.dispose();
    if (modelDir) fs.rmSync(modelDir, { recursive: true, force: true });
  });

  it('builds a deterministic artifact', async () => {
    const again = await buildModelArtifact(await modelFilesFromDir(modelDir), card);
    try {
      expect(again.manifestDigest).toBe(artifact.manifestDigest);
    } finally {
      await again.dispose();
    }
    expect(artifact.manifest.artifactType).toBe(MODEL_ARTIFACT_TYPE);
    expect(artifact.manifest.layers.map((l) => [l.annotations?.['org.opencontainers.image.title'], l.mediaType])).toEqual([
      ['README.md', 'application/vnd.orrery.model.file.v1'],
      ['tokenizer', 'application/vnd.orrery.model.dir.v1.tar'],
      ['weights.bin', 'application/vnd.orrery.model.file.v1'],
    ]);
  });

  it('pushes (chunked for the big file), skips present blobs on a second push, and pulls back', async () => {
    const ref = parseReference(`${registry.host}/models/resnet-tiny:3`);
    const rec = recordingFetch();
    const progress: Array<[string, number, number]> = [];
    const client = new OciClient({ fetch: rec.fetch, chunkSize: 4 * MiB });
    const first = await pushModel(client, ref, artifact, (d, s, t) => progress.push([d, s, t]));
    expect(first.uploaded).toHaveLength(4);
    expect(first.digest).toBe(artifact.manifestDigest);
    expect(rec.calls.filter((c) => c.method === 'PATCH')).toHaveLength(5);
    const weights = artifact.blobs.find((b) => b.title === 'weights.bin')!;
    expect(progress.filter(([d]) => d === weights.digest).at(-1)).toEqual([weights.digest, 20 * MiB, 20 * MiB]);

    const rec2 = recordingFetch();
    const second = await pushModel(new OciClient({ fetch: rec2.fetch }), ref, artifact);
    expect(second.uploaded).toEqual([]);
    expect(second.skipped).toHaveLength(4);
    expect(blobWrites(rec2.calls)).toEqual([]);
    expect(rec2.calls.filter((c) => c.method === 'HEAD')).toHaveLength(4);

    const into = path.join(tempDir(), 'pulled');
    const pulled = await pullModel(new OciClient(), ref, into);
    expect(pulled.card).toEqual(card);
    expect(pulled.digest).toBe(artifact.manifestDigest);
    expect(pulled.files.map((f) => [f.path, f.kind])).toEqual([
      ['README.md', 'file'],
      ['tokenizer', 'dir'],
      ['weights.bin', 'file'],
    ]);
    expectSameTree(modelDir, into);

    const byDigest = path.join(tempDir(), 'by-digest');
    await pullModel(new OciClient(), parseReference(`${registry.host}/models/resnet-tiny@${artifact.manifestDigest}`), byDigest);
    expectSameTree(modelDir, byDigest);
  });

  it('skopeo sees the artifactType', async () => {
    const skopeo = skopeoPath();
    if (!skopeo) {
      console.warn('*** skopeo not installed (apt-get install -y skopeo): skipping the skopeo check ***');
      return;
    }
    const ref = parseReference(`${registry.host}/models/skopeo:1`);
    await pushModel(new OciClient(), ref, artifact);
    const raw = execFileSync(skopeo, ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/models/skopeo:1`], { encoding: 'utf8' });
    const manifest = JSON.parse(raw) as { artifactType?: string; mediaType?: string };
    expect(manifest.artifactType).toBe(MODEL_ARTIFACT_TYPE);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('resumes an interrupted chunked upload after a restart', async () => {
    const ref = parseReference(`${registry.host}/models/resume:1`);
    const store = new FileUploadStateStore(path.join(tempDir(), 'uploads.json'));
    let patches = 0;
    const failing = recordingFetch((call) => {
      if (call.method === 'PATCH' && ++patches === 3) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    });
    const err = await pushModel(new OciClient({ fetch: failing.fetch, chunkSize: 4 * MiB, uploadStateStore: store }), ref, artifact).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrreryError);
    expect((err as OrreryError).code).toBe('UNAVAILABLE');
    const weights = artifact.blobs.find((b) => b.title === 'weights.bin')!;
    const saved = await store.get(`${registry.host}/models/resume@${weights.digest}`);
    expect(saved?.offset).toBe(8 * MiB);

    const rec = recordingFetch();
    const resumed = await pushModel(new OciClient({ fetch: rec.fetch, chunkSize: 4 * MiB, uploadStateStore: store }), ref, artifact);
    const patchBytes = rec.calls.filter((c) => c.method === 'PATCH').reduce((n, c) => n + c.bytes, 0);
    expect(patchBytes).toBe(12 * MiB);
    expect(rec.calls.some((c) => c.method === 'GET' && c.url.includes('/blobs/uploads/'))).toBe(true);
    expect(resumed.digest).toBe(artifact.manifestDigest);
    expect(await store.get(`${registry.host}/models/resume@${weights.digest}`)).toBeNull();

    const into = path.join(tempDir(), 'resumed');
    await pullModel(new OciClient(), ref, into);
    expectSameTree(modelDir, into);
  });

  it('refuses a blob whose digest does not match and leaves nothing behind', async () => {
    const ref = parseReference(`${registry.host}/models/tampered:1`);
    await pushModel(new OciClient(), ref, artifact);
    const readme = artifact.blobs.find((b) => b.title === 'README.md')!;
    const data = registry.blobDataPath(readme.digest);
    const original = fs.readFileSync(data);
    const tampered = Buffer.from(original);
    tampered[0] = tampered[0]! ^ 0xff;
    fs.writeFileSync(data, tampered);
    const parent = tempDir();
    const into = path.join(parent, 'model');
    try {
      const err = await pullModel(new OciClient(), ref, into).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrreryError);
      expect((err as Error).message).toMatch(/failed verification.*nothing was stored/);
      expect(fs.existsSync(into)).toBe(false);
      expect(fs.readdirSync(parent)).toEqual([]);
    } finally {
      fs.writeFileSync(data, original);
    }
  });

  it('refuses layer titles that escape the target folder', async () => {
    const client = new OciClient();
    for (const [i, title] of ['../evil', '/etc/passwd', 'a/../../b'].entries()) {
      const ref = parseReference(`${registry.host}/models/evil:${i}`);
      const readme = artifact.blobs.find((b) => b.title === 'README.md')!;
      const config = artifact.blobs[0]!;
      await client.pushBlob(ref, readme);
      await client.pushBlob(ref, config);
      const manifest = {
        ...artifact.manifest,
        layers: [{ mediaType: readme.mediaType, digest: readme.digest, size: readme.size, annotations: { 'org.opencontainers.image.title': title } }],
      };
      await client.putManifest(ref, Buffer.from(JSON.stringify(manifest)));
      const parent = tempDir();
      await expect(pullModel(client, ref, path.join(parent, 'm'))).rejects.toThrow(/unsafe or missing title/);
      expect(fs.readdirSync(parent)).toEqual([]);
    }
  });

  it('surfaces the registry error for an unknown manifest', async () => {
    const err = await pullModel(new OciClient(), parseReference(`${registry.host}/models/nope:1`), path.join(tempDir(), 'x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrreryError);
    expect((err as OrreryError).code).toBe('NOT_FOUND');
    expect((err as Error).message).toMatch(/HTTP 404: MANIFEST_UNKNOWN: manifest unknown/);
  });

  it('surfaces a manifest rejection (a layer the registry does not have)', async () => {
    const ref = parseReference(`${registry.host}/models/broken:1`);
    const bytes = Buffer.from(
      JSON.stringify({ ...artifact.manifest, layers: [{ mediaType: 'application/vnd.orrery.model.file.v1', digest: `sha256:${'0'.repeat(64)}`, size: 1 }] }),
    );
    const client = new OciClient();
    await client.pushBlob(ref, { digest: artifact.blobs[0]!.digest, size: artifact.blobs[0]!.size, file: artifact.blobs[0]!.file });
    await expect(client.putManifest(ref, bytes)).rejects.toThrow(/HTTP 400: MANIFEST_BLOB_UNKNOWN/);
  });
});

describe.skipIf(!haveRegistry)('OCI client auth against a real docker-registry', () => {
  let artifact: ModelArtifact;
  let modelDir: string;

  beforeAll(async () => {
    modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-model-'));
    fs.writeFileSync(path.join(modelDir, 'model.onnx'), randomBytes(64 * 1024));
    fs.mkdirSync(path.join(modelDir, 'extra'));
    fs.writeFileSync(path.join(modelDir, 'extra', 'labels.txt'), 'cat\ndog\n');
    artifact = await buildModelArtifact(await modelFilesFromDir(modelDir), { name: 'auth-model', version: '1' });
  });
  afterAll(async () => {
    await artifact?.dispose();
    if (modelDir) fs.rmSync(modelDir, { recursive: true, force: true });
  });

  describe('Basic (htpasswd)', () => {
    let registry: RunningRegistry;
    beforeAll(async () => {
      registry = await startDockerRegistry({ auth: { kind: 'htpasswd' } });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('wrong password → 401 with the registry message; none → clear UNAUTHORIZED', async () => {
      const ref = parseReference(`${registry.host}/models/auth:1`);
      const wrong = new OciClient({ credentials: staticCredentials({ [registry.host]: { username: BASIC_USER, password: 'nope' } }) });
      const err = await pushModel(wrong, ref, artifact).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrreryError);
      expect((err as OrreryError).code).toBe('UNAUTHORIZED');
      expect((err as Error).message).toMatch(/HTTP 401: UNAUTHORIZED: authentication required/);
      expect((err as Error).message).not.toContain('nope');
      await expect(pushModel(new OciClient(), ref, artifact)).rejects.toThrow(/requires a username and password/);
    });

    it('right credentials from DOCKER_CONFIG auths push and pull', async () => {
      const dockerConfig = tempDir();
      fs.writeFileSync(
        path.join(dockerConfig, 'config.json'),
        JSON.stringify({ auths: { [`http://${registry.host}`]: { auth: Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64') } } }),
      );
      const client = new OciClient({ credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: dockerConfig } }) });
      const ref = parseReference(`${registry.host}/models/auth:1`);
      await pushModel(client, ref, artifact);
      const into = path.join(tempDir(), 'm');
      await pullModel(client, ref, into);
      expectSameTree(modelDir, into);
    });

    it('credentials from a docker-credential helper on PATH', async () => {
      const dir = tempDir();
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(bin, 'docker-credential-orrerytest'),
        `#!/bin/sh\n[ "$1" = get ] || exit 2\nread host\n[ "$host" = "${registry.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\n` +
          `echo '{"ServerURL":"${registry.host}","Username":"${BASIC_USER}","Secret":"${BASIC_PASSWORD}"}'\n`,
        { mode: 0o755 },
      );
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'orrerytest' } }));
      const env = { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ''}` };
      const client = new OciClient({ credentials: dockerConfigCredentials({ env }) });
      const ref = parseReference(`${registry.host}/models/helper:1`);
      await pushModel(client, ref, artifact);
      const into = path.join(tempDir(), 'h');
      const pulled = await pullModel(client, ref, into);
      expect(pulled.card).toEqual({ name: 'auth-model', version: '1' });
    });
  });

  describe('Bearer (token server)', () => {
    let registry: RunningRegistry;
    let tokens: TokenServer;
    beforeAll(async () => {
      tokens = await startTokenServer(BASIC_USER, BASIC_PASSWORD);
      registry = await startDockerRegistry({ auth: { kind: 'token', token: tokens.auth } });
    });
    afterAll(async () => {
      await registry?.stop();
      await tokens?.stop();
    });

    it('fetches scoped tokens, caches them, and pushes and pulls', async () => {
      const rec = recordingFetch();
      const client = new OciClient({ fetch: rec.fetch, credentials: staticCredentials({ [registry.host]: { username: BASIC_USER, password: BASIC_PASSWORD } }) });
      const ref = parseReference(`${registry.host}/models/bearer:1`);
      await pushModel(client, ref, artifact);
      const into = path.join(tempDir(), 'b');
      await pullModel(client, ref, into);
      expectSameTree(modelDir, into);
      // docker-registry lists a challenge's actions in either order.
      expect(tokens.requests.some((s) => /^repository:models\/bearer:(pull,push|push,pull)$/.test(s))).toBe(true);
      // One token per scope: push scope once, pull scope once at most.
      expect(rec.calls.filter((c) => c.url.startsWith(tokens.auth.realm)).length).toBeLessThanOrEqual(2);
    });

    it('bad credentials at the token server surface its message', async () => {
      const client = new OciClient({ credentials: staticCredentials({ [registry.host]: { username: BASIC_USER, password: 'wrong' } }) });
      await expect(pushModel(client, parseReference(`${registry.host}/models/bearer:2`), artifact)).rejects.toThrow(/token server .* HTTP 401: UNAUTHORIZED: token server: bad credentials/);
    });
  });
});

describe('OCI client failures without a registry', () => {
  it('an unreachable registry is UNAVAILABLE', async () => {
    const port = await freePort();
    const err = await new OciClient().getManifest(parseReference(`127.0.0.1:${port}/m:1`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrreryError);
    expect((err as OrreryError).code).toBe('UNAVAILABLE');
    expect((err as Error).message).toMatch(new RegExp(`registry at 127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\)`));
  });

  it('plain HTTP to a non-localhost host is refused', () => {
    expect(() => parseReference('http://models.example.com/m:1')).toThrow(/refusing plain HTTP to registry "models.example.com"/);
  });
});
