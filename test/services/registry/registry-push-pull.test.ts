import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryPushProgressEvent } from '../../../shared/contract/registry';
import { OrreryError } from '../../../shared/errors';
import { EventBus } from '../../../electron/services/events/event-bus';
import { ModelRegistryService } from '../../../electron/services/registry/model-registry-service';
import { RegistryRepository } from '../../../electron/services/registry/registry-repository';
import { RemoteRegistryRepository } from '../../../electron/services/registry/remote-registry-repository';
import { isRetryable, MemoryUploadStateStore, OciClient } from '../../../electron/services/registry/oci/oci-client';
import { RemoteRegistries } from '../../../electron/services/registry/remote-registries';
import { openDatabase } from '../../../electron/services/store/database';
import { ArtifactStore } from '../../../electron/services/tracking/artifact-store';
import { TrackingService } from '../../../electron/services/tracking/tracking-service';
import { dockerRegistryAvailable, freePort, startDockerRegistry, type RunningRegistry } from '../../helpers/docker-registry';
import { tempDir } from '../../helpers/temp-dir';

const haveRegistry = dockerRegistryAvailable();

let dataDir: string;
let db: Database;
let registry: ModelRegistryService;
let progress: RegistryPushProgressEvent[];
let remotes: RemoteRegistries;

beforeEach(() => {
  dataDir = tempDir();
  db = openDatabase({ dataDir }).db;
  const bus = new EventBus();
  progress = [];
  bus.subscribe('registry.pushProgress', (e) => progress.push(e));
  const tracking = new TrackingService({ db, bus });
  const artifacts = new ArtifactStore(path.join(dataDir, 'artifacts'));
  const uploadStateStore = new MemoryUploadStateStore();
  remotes = new RemoteRegistries(new RemoteRegistryRepository(db));
  registry = new ModelRegistryService({ repository: new RegistryRepository(db), bus, tracking, artifacts, dataDir, remotes, ociClient: () => new OciClient({ uploadStateStore }) });
});
afterEach(() => db.close());

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function registerTiny(name = 'tiny'): Promise<void> {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'model.onnx'), Buffer.alloc(4096, 7));
  fs.mkdirSync(path.join(folder, 'sub'));
  fs.writeFileSync(path.join(folder, 'sub', 'labels.txt'), 'cat\ndog\n');
  await registry.registerFromFolder({ folder, name, actor: 'alice' });
}

function approve(name: string, version: number): void {
  registry.setGates({ name, gates: [], actor: 'alice' });
  const request = registry.requestApproval({ name, version, actor: 'alice' });
  registry.review({ requestId: request.requestId, decision: 'approve', reviewer: 'bob' });
}

describe.skipIf(!haveRegistry)('registry push and pull against a real docker-registry', () => {
  let oci: RunningRegistry;
  beforeAll(async () => {
    oci = await startDockerRegistry();
  });
  afterAll(async () => {
    await oci.stop();
  });

  it('refuses an unapproved version, pushes an approved one, skips blobs on a re-push, pulls it back', async () => {
    await registerTiny();
    const reference = `${oci.host}/models/tiny:v1`;

    const refused = await registry.push({ name: 'tiny', version: 1, reference, actor: 'alice' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OrreryError);
    expect((refused as OrreryError).code).toBe('CONFLICT');
    expect((refused as Error).message).toBe('version 1 of tiny is not approved: request and approve it first');

    approve('tiny', 1);
    const first = await registry.push({ name: 'tiny', version: 1, reference, actor: 'alice' });
    expect(first.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(first.reference).toContain(`${oci.host}/models/tiny`);
    expect(first.uploaded).toBe(3); // config + two files
    expect(first.skipped).toBe(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.name === 'tiny' && p.version === 1 && p.sent <= p.total)).toBe(true);

    const again = await registry.push({ name: 'tiny', version: 1, reference, actor: 'carol' });
    expect(again).toEqual({ ...first, uploaded: 0, skipped: 3 });

    const pushed = registry.auditLog('tiny').filter((a) => a.action === 'pushed');
    expect(pushed).toHaveLength(2);
    expect(pushed[0]?.actor).toBe('carol');
    expect(pushed[0]?.details).toMatchObject({ reference: first.reference, digest: first.digest });

    const original = registry.getVersion('tiny', 1);
    const copy = await registry.pull({ reference, name: 'tiny-copy', actor: 'dave' });
    expect(copy.name).toBe('tiny-copy');
    expect(copy.version).toBe(1);
    const byPath = (files: typeof copy.files) => [...files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => [f.path, f.sha256, f.size]);
    expect(byPath(copy.files)).toEqual(byPath(original.files));
    for (const f of copy.files) expect(sha(path.join(copy.storagePath, f.path))).toBe(f.sha256);
    expect(copy.lineage.pulledFrom).toBe(reference);
    expect(copy.lineage.digest).toBe(first.digest);
    expect(copy.lineage.originalLineage).toEqual(original.lineage);
    expect(registry.auditLog('tiny-copy').some((a) => a.action === 'pulled' && a.actor === 'dave' && a.details.digest === first.digest)).toBe(true);
    // No staging folder is left behind.
    expect(fs.readdirSync(path.join(dataDir, 'models')).filter((n) => n.startsWith('.'))).toEqual([]);

    // Without a name, the card's name is used: 'tiny', where this artifact came from, so it is refused.
    await expect(registry.pull({ reference, actor: 'dave' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `${reference} is version 1 of tiny, pushed as ${first.reference}; no new version was made.`,
    });
    expect(registry.getModel('tiny').versions.map((v) => v.version)).toEqual([1]);
  });

  it('pulling an artifact already pulled into the model names that version and makes no new one', async () => {
    await registerTiny();
    approve('tiny', 1);
    const reference = `${oci.host}/models/tiny:v1`;
    const pushed = await registry.push({ name: 'tiny', version: 1, reference, actor: 'alice' });
    const first = await registry.pull({ reference, name: 'tiny-copy', actor: 'dave' });
    expect(first.version).toBe(1);

    // The same tag, and the same artifact by digest: both are version 1 already.
    for (const again of [reference, `  ${oci.host}/models/tiny@${pushed.digest}`]) {
      const refused = await registry.pull({ reference: again, name: 'tiny-copy', actor: 'erin' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OrreryError);
      expect(refused).toMatchObject({
        code: 'CONFLICT',
        message: `${again.trim()} was already pulled as version 1 of tiny-copy (the same artifact, ${pushed.digest}); no new version was made.`,
      });
    }
    expect(registry.getModel('tiny-copy').versions.map((v) => v.version)).toEqual([1]);
    expect(registry.auditLog('tiny-copy').filter((a) => a.action === 'pulled')).toHaveLength(1);
    expect(fs.readdirSync(path.join(dataDir, 'models')).filter((n) => n.startsWith('.'))).toEqual([]);

    // Into 'tiny' (the card's name) it was never pulled, but pushed from its version 1: a copy of that is refused too.
    await expect(registry.pull({ reference: `${oci.host}/models/tiny@${pushed.digest}`, actor: 'dave' })).rejects.toThrow(
      `is version 1 of tiny, pushed as ${pushed.reference}; no new version was made.`,
    );
    expect(registry.getModel('tiny').versions.map((v) => v.version)).toEqual([1]);

    // Another artifact under the same tag is new.
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'model.onnx'), Buffer.alloc(64, 9));
    await registry.registerFromFolder({ folder, name: 'tiny', actor: 'alice' });
    approve('tiny', 2);
    await registry.push({ name: 'tiny', version: 2, reference, actor: 'alice' });
    expect((await registry.pull({ reference, name: 'tiny-copy', actor: 'dave' })).version).toBe(2);
  });

  it('of three pulls of one artifact into one model at once, exactly one makes a version; the others name it', async () => {
    await registerTiny('racer');
    approve('racer', 1);
    const reference = `${oci.host}/models/racer:v1`;
    const pushed = await registry.push({ name: 'racer', version: 1, reference, actor: 'alice' });

    const outcomes = await Promise.allSettled([1, 2, 3].map(() => registry.pull({ reference, name: 'pulled', actor: 'dave' })));
    const made = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as OrreryError] : []));
    expect(made.map((v) => [v.name, v.version])).toEqual([['pulled', 1]]);
    expect(refused).toHaveLength(2);
    for (const error of refused) {
      expect(error).toMatchObject({
        code: 'CONFLICT',
        message: `${reference} was already pulled as version 1 of pulled (the same artifact, ${pushed.digest}); no new version was made.`,
      });
    }
    expect(registry.getModel('pulled').versions.map((v) => v.version)).toEqual([1]);
    expect(registry.auditLog('pulled').filter((a) => a.action === 'pulled')).toHaveLength(1);
    expect(fs.readdirSync(path.join(dataDir, 'models')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'models', 'pulled'))).toEqual(['1']);
  });
});

describe.skipIf(!haveRegistry)('pushing to a remote configured in settings', () => {
  let oci: RunningRegistry;
  beforeAll(async () => {
    oci = await startDockerRegistry();
  });
  afterAll(async () => {
    await oci.stop();
  });

  it('goes to <url>/<prefix>/<name>:v<version> by default, or the given tag; the version page lists both pushes', async () => {
    await registerTiny('Tiny');
    approve('Tiny', 1);
    remotes.save({ name: 'team', url: `http://${oci.host}`, repositoryPrefix: 'ml/models' });

    const byDefault = await registry.push({ name: 'Tiny', version: 1, remote: 'team', actor: 'alice' });
    expect(byDefault.reference).toBe(`${oci.host}/ml/models/tiny:v1@${byDefault.digest}`);
    const tagged = await registry.push({ name: 'Tiny', version: 1, remote: 'team', tag: 'stable', actor: 'bob' });
    expect(tagged.digest).toBe(byDefault.digest);
    expect(tagged.skipped).toBe(3);

    const pushes = registry.getVersion('Tiny', 1).pushes;
    expect(pushes.map((p) => [p.actor, p.reference.split('@')[0]])).toEqual([
      ['alice', `${oci.host}/ml/models/tiny:v1`],
      ['bob', `${oci.host}/ml/models/tiny:stable`],
    ]);

    const unknown = await registry.push({ name: 'Tiny', version: 1, remote: 'nope', actor: 'alice' }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: "No remote registry named 'nope' (configured: team)" });
  });
});

describe('registry push and pull failures', () => {
  it('an unreachable registry is UNAVAILABLE (retryable), with its message', async () => {
    await registerTiny();
    approve('tiny', 1);
    const port = await freePort();
    const pushErr = await registry.push({ name: 'tiny', version: 1, reference: `127.0.0.1:${port}/models/tiny:v1`, actor: 'alice' }).catch((e: unknown) => e);
    expect(pushErr).toBeInstanceOf(OrreryError);
    expect((pushErr as OrreryError).code).toBe('UNAVAILABLE');
    expect(isRetryable(pushErr)).toBe(true);
    expect((pushErr as Error).message).toMatch(/is unreachable/);
    expect(registry.auditLog('tiny').some((a) => a.action === 'pushed')).toBe(false);

    const pullErr = await registry.pull({ reference: `127.0.0.1:${port}/models/tiny:v1`, actor: 'alice' }).catch((e: unknown) => e);
    expect((pullErr as OrreryError).code).toBe('UNAVAILABLE');
    expect(fs.readdirSync(path.join(dataDir, 'models')).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
