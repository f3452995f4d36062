import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../electron/services/events/event-bus';
import { ModelRegistryService } from '../../../electron/services/registry/model-registry-service';
import { RegistryRepository } from '../../../electron/services/registry/registry-repository';
import { OciClient } from '../../../electron/services/registry/oci/oci-client';
import { openDatabase } from '../../../electron/services/store/database';
import { ArtifactStore } from '../../../electron/services/tracking/artifact-store';
import { TrackingService } from '../../../electron/services/tracking/tracking-service';
import { waitFor } from '../../helpers/server-process';
import { tempDir } from '../../helpers/temp-dir';

/** An artifact store whose files named `slow.bin` stream only what the test pushes into them. */
class SlowArtifacts extends ArtifactStore {
  readonly slow = new PassThrough();
  override async open(experimentId: string, runId: string, segments: readonly string[]) {
    const opened = await super.open(experimentId, runId, segments);
    if (segments.at(-1) !== 'slow.bin') return opened;
    opened.stream.destroy();
    return { ...opened, stream: this.slow as unknown as fs.ReadStream };
  }
}

let dataDir: string;
let modelsRoot: string;
let db: Database;
let tracking: TrackingService;
let artifacts: SlowArtifacts;
let registry: ModelRegistryService;

beforeEach(() => {
  dataDir = tempDir();
  modelsRoot = path.join(dataDir, 'models');
  db = openDatabase({ dataDir }).db;
  const bus = new EventBus();
  tracking = new TrackingService({ db, bus });
  artifacts = new SlowArtifacts(path.join(dataDir, 'artifacts'));
  registry = new ModelRegistryService({ repository: new RegistryRepository(db), bus, tracking, artifacts, dataDir, ociClient: () => new OciClient() });
});
afterEach(() => db.close());

function put(file: string, body = 'x'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
  return file;
}

function folder(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function registerSmall(name: string): Promise<void> {
  const source = tempDir();
  put(path.join(source, 'model.onnx'), 'onnx');
  await registry.registerFromFolder({ folder: source, name });
}

function tree(): string[] {
  return (fs.readdirSync(modelsRoot, { recursive: true }) as string[]).sort();
}

describe('the start-up sweep of the models folder', () => {
  it('removes staging, pull and orphan folders, partial downloads and empty model folders; keeps what has a row and what is not ours', async () => {
    await registerSmall('iris');
    await registerSmall('iris');
    const staging = put(path.join(modelsRoot, 'iris', '.staging-0a1b', 'model.onnx'));
    const aside = folder(path.join(modelsRoot, 'iris', '.orphan-4-0a1b'));
    const noRow = put(path.join(modelsRoot, 'iris', '3', 'model.onnx'));
    const pullTarget = put(path.join(modelsRoot, '.pull-0a1b', 'weights.bin'));
    const pullStaging = folder(path.join(modelsRoot, '..pull-0a1b.pull-Xy12Zq'));
    const partial = put(path.join(pullStaging, 'tree', 'weights.bin.0a1b2c3d4e5f.partial'));
    const ghost = folder(path.join(modelsRoot, 'ghost'));
    const onlyStaging = put(path.join(modelsRoot, 'half', '.staging-9f', 'model.onnx'));
    // Not the registry's: left alone.
    const notOurs = [
      put(path.join(modelsRoot, 'README.txt')),
      put(path.join(modelsRoot, '.DS_Store')),
      put(path.join(modelsRoot, 'iris', 'notes.txt')),
      folder(path.join(modelsRoot, 'iris', '0')),
      folder(path.join(modelsRoot, 'iris', 'v3')),
      folder(path.join(modelsRoot, 'iris', '.git')),
    ];

    const found = await registry.sweepLeftovers();
    expect(found.failed).toEqual([]);
    expect(found.removed).toEqual({
      stagingFolders: [path.dirname(staging), path.dirname(onlyStaging)].sort(),
      orphanVersionFolders: [aside, path.dirname(noRow)].sort(),
      pullFolders: [path.dirname(pullTarget), pullStaging].sort(),
      partialDownloads: [partial],
      emptyModelFolders: [ghost, path.join(modelsRoot, 'half')].sort(),
    });
    for (const p of notOurs) expect(fs.existsSync(p)).toBe(true);
    expect(tree()).toEqual(
      ['.DS_Store', 'README.txt', 'iris', 'iris/.git', 'iris/0', 'iris/1', 'iris/1/model.onnx', 'iris/2', 'iris/2/model.onnx', 'iris/notes.txt', 'iris/v3'].sort(),
    );
    expect((await registry.registerFromFolder({ folder: path.dirname(put(path.join(tempDir(), 'm.onnx'))), name: 'iris' })).version).toBe(3);
  });

  it('keeps a model folder whose model has versions, even when emptied by hand; a missing models folder is nothing to sweep', async () => {
    expect(await registry.sweepLeftovers()).toEqual({ removed: {}, failed: [] });
    await registerSmall('iris');
    fs.rmSync(path.join(modelsRoot, 'iris', '1'), { recursive: true });
    expect((await registry.sweepLeftovers()).removed).toEqual({});
    expect(tree()).toEqual(['iris']);
  });

  it('leaves a registration in progress in this process alone; it then completes', async () => {
    const experimentId = tracking.createExperiment('slow');
    const run = tracking.createRun({ experimentId, name: 'r', tags: [] });
    await artifacts.write(experimentId, run.runId, ['model', 'MLmodel'], Buffer.from('flavors: {}\n'));
    await artifacts.write(experimentId, run.runId, ['model', 'slow.bin'], Buffer.from('placeholder'));
    const registering = registry.registerFromRun({ runId: run.runId, path: 'model', name: 'slow' });
    artifacts.slow.write(Buffer.alloc(1000, 1));
    const modelDir = path.join(modelsRoot, 'slow');
    const staging = await waitFor('the registration to be copying', () => {
      const name = fs.existsSync(modelDir) ? fs.readdirSync(modelDir).find((n) => n.startsWith('.staging-')) : undefined;
      return name && fs.existsSync(path.join(modelDir, name, 'slow.bin')) ? path.join(modelDir, name) : undefined;
    });

    expect(await registry.sweepLeftovers()).toEqual({ removed: {}, failed: [] });
    expect(fs.existsSync(staging)).toBe(true);

    artifacts.slow.end(Buffer.alloc(24, 2));
    const version = await registering;
    expect(version.version).toBe(1);
    expect(version.files.map((f) => [f.path, f.size])).toEqual([
      ['MLmodel', 12],
      ['slow.bin', 1024],
    ]);
    expect(tree()).toEqual(['slow', 'slow/1', 'slow/1/MLmodel', 'slow/1/slow.bin']);
  });
});
