import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../../shared/contract/registry';
import { EventBus } from '../../../electron/services/events/event-bus';
import { ModelRegistryService } from '../../../electron/services/registry/model-registry-service';
import { RegistryRepository } from '../../../electron/services/registry/registry-repository';
import { MemoryUploadStateStore, OciClient } from '../../../electron/services/registry/oci/oci-client';
import { OCI_OWNER_FILE, OCI_TEMP_PREFIX } from '../../../electron/services/registry/oci-temp-folders';
import { openDatabase } from '../../../electron/services/store/database';
import { ArtifactStore } from '../../../electron/services/tracking/artifact-store';
import { TrackingService } from '../../../electron/services/tracking/tracking-service';
import { dockerRegistryAvailable, startDockerRegistry, type RunningRegistry } from '../../helpers/docker-registry';
import { startServerProcess, waitFor, type ServerProcess } from '../../helpers/server-process';
import { startStallingProxy, type StallingProxy } from '../../helpers/stalling-proxy';
import { tempDir } from '../../helpers/temp-dir';
import { startTestServer, type TestServer } from '../../helpers/test-server';

/**
 * kill -9 of a real Orrery (dist/cli/serve.js) in the middle of a registration and of a pull,
 * then Orrery started again on the same data dir: the start-up sweep removes what the crash left,
 * says so, and the model registers and pulls again.
 */

const children: ServerProcess[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill9();
  for (const server of servers.splice(0)) await server.close();
});

async function crashable(dataDir: string): Promise<ServerProcess> {
  const child = await startServerProcess(dataDir);
  children.push(child);
  return child;
}

async function restart(dataDir: string): Promise<TestServer> {
  const server = await startTestServer(dataDir);
  servers.push(server);
  return server;
}

/** Every entry under models/, hidden ones included. */
function modelsTree(dataDir: string): string[] {
  const root = path.join(dataDir, 'models');
  return fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).sort() : [];
}

function smallModel(): string {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'model.onnx'), Buffer.alloc(1024, 1));
  return folder;
}

describe('kill -9 during a registration', { timeout: 90_000 }, () => {
  it('leaves a staging folder that the next start removes and reports; the model registers again', async () => {
    const dataDir = tempDir();
    const orrery = await crashable(dataDir);
    const first = await orrery.rpc<ModelVersion>('registry.registerFromFolder', { folder: smallModel(), name: 'iris' });
    expect(first.body.ok).toBe(true);

    // A large file, so the copy takes long enough to be caught in the middle (sparse: no disk used to make it).
    const big = tempDir();
    fs.writeFileSync(path.join(big, 'a-config.json'), '{}');
    fs.closeSync(fs.openSync(path.join(big, 'weights.bin'), 'w'));
    fs.truncateSync(path.join(big, 'weights.bin'), 256 * 1024 * 1024);
    const pending = orrery.rpc('registry.registerFromFolder', { folder: big, name: 'iris' }).catch((e: unknown) => e);
    const modelDir = path.join(dataDir, 'models', 'iris');
    const staging = await waitFor('the registration to be copying weights.bin', () => {
      const name = fs.readdirSync(modelDir).find((n) => n.startsWith('.staging-'));
      if (!name) return undefined;
      const weights = path.join(modelDir, name, 'weights.bin');
      return fs.existsSync(weights) && fs.statSync(weights).size > 0 ? path.join(modelDir, name) : undefined;
    });
    await orrery.kill9();
    await pending;
    expect(fs.existsSync(staging)).toBe(true);

    const again = await restart(dataDir);
    const report = await again.running.app.startupCleanup;
    expect(report.removed.stagingFolders).toEqual([staging]);
    expect(report.failed).toEqual([]);
    expect(modelsTree(dataDir)).toEqual(['iris', 'iris/1', 'iris/1/model.onnx']);

    const second = await again.rpc<ModelVersion>('registry.registerFromFolder', { folder: smallModel(), name: 'iris' });
    expect(second.body.result?.version).toBe(2);
    expect((await again.rpc<{ versionCount: number }>('registry.getModel', { name: 'iris' })).body.result?.versionCount).toBe(2);
  });

  it('a version folder left without a row (a crash between the move and the commit) is removed at the next start; versions with rows stay', async () => {
    const dataDir = tempDir();
    const orrery = await crashable(dataDir);
    expect((await orrery.rpc('registry.registerFromFolder', { folder: smallModel(), name: 'iris' })).body.ok).toBe(true);
    await orrery.kill9();
    // What a crash after the folder's move but before its COMMIT leaves; and an empty model folder.
    const orphan = path.join(dataDir, 'models', 'iris', '2');
    fs.mkdirSync(orphan);
    fs.writeFileSync(path.join(orphan, 'model.onnx'), 'no row refers to this');
    const empty = path.join(dataDir, 'models', 'ghost');
    fs.mkdirSync(empty);

    const again = await restart(dataDir);
    const report = await again.running.app.startupCleanup;
    expect(report.removed.orphanVersionFolders).toEqual([orphan]);
    expect(report.removed.emptyModelFolders).toEqual([empty]);
    expect(modelsTree(dataDir)).toEqual(['iris', 'iris/1', 'iris/1/model.onnx']);
    expect((await again.rpc<ModelVersion>('registry.registerFromFolder', { folder: smallModel(), name: 'iris' })).body.result?.version).toBe(2);
  });
});

const haveRegistry = dockerRegistryAvailable();

describe.skipIf(!haveRegistry)('kill -9 during a pull from a real docker-registry', { timeout: 90_000 }, () => {
  let oci: RunningRegistry;
  let proxy: StallingProxy;
  let weightsDigest: string;
  beforeAll(async () => {
    oci = await startDockerRegistry();
    proxy = await startStallingProxy(oci.url);
    // Push a model with an 8 MiB file from a separate store.
    const sourceDir = tempDir();
    const db = openDatabase({ dataDir: sourceDir }).db;
    try {
      const tracking = new TrackingService({ db, bus: new EventBus() });
      const registry = new ModelRegistryService({
        repository: new RegistryRepository(db),
        tracking,
        artifacts: new ArtifactStore(path.join(sourceDir, 'artifacts')),
        dataDir: sourceDir,
        ociClient: () => new OciClient({ uploadStateStore: new MemoryUploadStateStore() }),
      });
      const folder = tempDir();
      const weights = Buffer.alloc(8 * 1024 * 1024);
      for (let i = 0; i < weights.length; i += 4096) weights.writeUInt32LE(i, i);
      fs.writeFileSync(path.join(folder, 'weights.bin'), weights);
      fs.writeFileSync(path.join(folder, 'labels.txt'), 'cat\ndog\n');
      weightsDigest = `sha256:${createHash('sha256').update(weights).digest('hex')}`;
      await registry.registerFromFolder({ folder, name: 'big', actor: 'alice' });
      registry.setGates({ name: 'big', gates: [], actor: 'alice' });
      registry.approve({ name: 'big', version: 1, reviewer: 'bob' });
      await registry.push({ name: 'big', version: 1, reference: `${oci.host}/models/big:v1`, actor: 'alice' });
    } finally {
      db.close();
    }
  });
  afterAll(async () => {
    await proxy?.stop();
    await oci?.stop();
  });

  it('leaves pull folders and a partial download that the next start removes and reports; the pull then works', async () => {
    const dataDir = tempDir();
    const orrery = await crashable(dataDir);
    expect((await orrery.rpc('registry.registerFromFolder', { folder: smallModel(), name: 'iris' })).body.ok).toBe(true);

    proxy.stallDigest = weightsDigest;
    proxy.stallAfter = 1024 * 1024;
    const pending = orrery.rpc('registry.pull', { reference: `${proxy.host}/models/big:v1`, actor: 'alice' }).catch((e: unknown) => e);
    await Promise.race([
      proxy.stalled(),
      pending.then((r) => {
        throw new Error(`the pull ended before the download stalled: ${JSON.stringify(r)}`);
      }),
    ]);
    const modelsRoot = path.join(dataDir, 'models');
    const partial = await waitFor('a partial download on disk', () => {
      const found = (fs.readdirSync(modelsRoot, { recursive: true }) as string[]).find((p) => p.endsWith('.partial'));
      return found && fs.statSync(path.join(modelsRoot, found)).size > 0 ? path.join(modelsRoot, found) : undefined;
    });
    await orrery.kill9();
    await pending;
    proxy.release();
    proxy.stallDigest = null;
    expect(fs.existsSync(partial)).toBe(true);
    const leftovers = fs.readdirSync(modelsRoot).filter((n) => n.startsWith('.'));
    expect(leftovers.length).toBeGreaterThan(0);

    const again = await restart(dataDir);
    const report = await again.running.app.startupCleanup;
    expect(report.removed.pullFolders.map((p) => path.basename(p)).sort()).toEqual(leftovers.sort());
    expect(report.removed.partialDownloads).toEqual([partial]);
    expect(report.failed).toEqual([]);
    expect(modelsTree(dataDir)).toEqual(['iris', 'iris/1', 'iris/1/model.onnx']);

    const pulled = await again.rpc<ModelVersion>('registry.pull', { reference: `${proxy.host}/models/big:v1`, actor: 'alice' });
    expect(pulled.body.error).toBeUndefined();
    expect(pulled.body.result?.name).toBe('big');
    expect(pulled.body.result?.version).toBe(1);
    const weights = fs.readFileSync(path.join(dataDir, 'models', 'big', '1', 'weights.bin'));
    expect(`sha256:${createHash('sha256').update(weights).digest('hex')}`).toBe(weightsDigest);
    expect(modelsTree(dataDir).filter((p) => p.split('/').some((part) => part.startsWith('.')))).toEqual([]);
  });
  it('a pull in progress in this process is left alone by the sweep, and then completes', async () => {
    const dataDir = tempDir();
    const db = openDatabase({ dataDir }).db;
    try {
      const registry = new ModelRegistryService({
        repository: new RegistryRepository(db),
        tracking: new TrackingService({ db, bus: new EventBus() }),
        artifacts: new ArtifactStore(path.join(dataDir, 'artifacts')),
        dataDir,
        ociClient: () => new OciClient({ uploadStateStore: new MemoryUploadStateStore() }),
      });
      proxy.stallDigest = weightsDigest;
      proxy.stallAfter = 1024 * 1024;
      const pulling = registry.pull({ reference: `${proxy.host}/models/big:v1`, name: 'copy', actor: 'alice' });
      await proxy.stalled();
      const modelsRoot = path.join(dataDir, 'models');
      await waitFor('a partial download on disk', () =>
        (fs.readdirSync(modelsRoot, { recursive: true }) as string[]).some((p) => p.endsWith('.partial')) ? true : undefined,
      );
      const before = modelsTree(dataDir);

      expect(await registry.sweepLeftovers()).toEqual({ removed: {}, failed: [] });
      expect(modelsTree(dataDir)).toEqual(before);

      proxy.stallDigest = null;
      proxy.release();
      const version = await pulling;
      expect(version.version).toBe(1);
      expect(modelsTree(dataDir)).toEqual(['copy', 'copy/1', 'copy/1/labels.txt', 'copy/1/weights.bin']);
    } finally {
      proxy.stallDigest = null;
      proxy.release();
      db.close();
    }
  });
  it("a push marks its orrery-oci-* temp folder as this process's while it runs, so other Orrerys' sweeps keep it", async () => {
    const sourceDir = tempDir();
    const db = openDatabase({ dataDir: sourceDir }).db;
    const seen: string[] = [];
    class Observing extends OciClient {
      override async putManifest(...args: Parameters<OciClient['putManifest']>): Promise<string> {
        for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(OCI_TEMP_PREFIX))) {
          try {
            const owner = JSON.parse(fs.readFileSync(path.join(os.tmpdir(), name, OCI_OWNER_FILE), 'utf8')) as { pid: number };
            if (owner.pid === process.pid) seen.push(name);
          } catch {
            // not marked, or not ours
          }
        }
        return super.putManifest(...args);
      }
    }
    try {
      const registry = new ModelRegistryService({
        repository: new RegistryRepository(db),
        tracking: new TrackingService({ db, bus: new EventBus() }),
        artifacts: new ArtifactStore(path.join(sourceDir, 'artifacts')),
        dataDir: sourceDir,
        ociClient: () => new Observing({ uploadStateStore: new MemoryUploadStateStore() }),
      });
      await registry.registerFromFolder({ folder: smallModel(), name: 'marked', actor: 'alice' });
      registry.approve({ name: 'marked', version: 1, reviewer: 'bob' });
      await registry.push({ name: 'marked', version: 1, reference: `${oci.host}/models/marked:v1`, actor: 'alice' });
      expect(seen).toHaveLength(1);
      expect(fs.existsSync(path.join(os.tmpdir(), seen[0]!))).toBe(false);
    } finally {
      db.close();
    }
  });
});
