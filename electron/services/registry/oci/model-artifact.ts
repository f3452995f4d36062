import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OrreryError } from '../../../../shared/errors';
import { OCI_MANIFEST_MEDIA_TYPE, type Descriptor, type OciClient, type OciManifest, type ProgressCallback } from './oci-client';
import { formatReference, type OciReference } from './reference';
import { extractTar, safeRelativePath, writeTar } from './tar';

export const MODEL_ARTIFACT_TYPE = 'application/vnd.orrery.model.v1';
export const MODEL_CONFIG_MEDIA_TYPE = 'application/vnd.orrery.model.config.v1+json';
export const MODEL_FILE_MEDIA_TYPE = 'application/vnd.orrery.model.file.v1';
export const MODEL_DIR_MEDIA_TYPE = 'application/vnd.orrery.model.dir.v1.tar';
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';
export const MODEL_NAME_ANNOTATION = 'dev.orrery.model.name';
export const MODEL_VERSION_ANNOTATION = 'dev.orrery.model.version';

/** The model card the caller supplies; `name` and `version` become manifest annotations. */
export interface ModelCard {
  name: string;
  version: string;
  [key: string]: unknown;
}

/** One input: `path` is the relative path inside the model, `absPath` a file or a folder on disk. */
export interface ModelFileInput {
  path: string;
  absPath: string;
  /**
   * The file's sha256 (hex) when already known, e.g. recorded at registration: the file is then not
   * read again to build the manifest. The registry still checks every uploaded blob against it.
   */
  sha256?: string;
}

export interface ArtifactBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** The file holding the blob's bytes (the original file, or a tar/config in the work dir). */
  file: string;
  /** The layer's relative path; absent for the config. */
  title?: string;
}

export interface ModelArtifact {
  manifest: OciManifest;
  /** The manifest's exact bytes (what gets PUT and what its digest is over). */
  manifestBytes: Buffer;
  manifestDigest: string;
  /** Config first, then the layers in manifest order. */
  blobs: ArtifactBlob[];
  /** The temp folder holding the config and any tars; removed by dispose(). */
  workDir: string;
  dispose(): Promise<void>;
}

/** JSON with keys sorted at every level, so equal cards give equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

async function fileDigest(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    const c = chunk as Buffer;
    hash.update(c);
    size += c.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** The top-level entries of a folder as inputs: files become file layers, folders tar layers. */
export async function modelFilesFromDir(dir: string): Promise<ModelFileInput[]> {
  const names = (await fsp.readdir(dir)).sort();
  return names.map((n) => ({ path: n, absPath: path.join(dir, n) }));
}

/** Build the manifest and blobs for a model: config (the card) + one layer per file or folder. */
export async function buildModelArtifact(files: ModelFileInput[], card: ModelCard): Promise<ModelArtifact> {
  if (!card || typeof card.name !== 'string' || card.name === '' || typeof card.version !== 'string' || card.version === '') {
    throw new OrreryError('INVALID_INPUT', 'the model card needs a non-empty name and version');
  }
  const seen = new Set<string>();
  const inputs = files.map((f) => {
    const rel = safeRelativePath(f.path);
    if (!rel) throw new OrreryError('INVALID_INPUT', `"${f.path}" is not a safe relative path inside the model`);
    if (seen.has(rel)) throw new OrreryError('INVALID_INPUT', `"${rel}" is listed twice`);
    seen.add(rel);
    return { rel, absPath: f.absPath, sha256: f.sha256 };
  });
  inputs.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const a of inputs) {
    if (inputs.some((b) => b !== a && b.rel.startsWith(`${a.rel}/`))) {
      throw new OrreryError('INVALID_INPUT', `"${a.rel}" and a path inside it are both listed`);
    }
  }

  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'orrery-oci-'));
  const dispose = (): Promise<void> => fsp.rm(workDir, { recursive: true, force: true });
  try {
    const configBytes = Buffer.from(canonicalJson(card));
    const configFile = path.join(workDir, 'config.json');
    await fsp.writeFile(configFile, configBytes);
    const config: ArtifactBlob = {
      digest: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
      size: configBytes.length,
      mediaType: MODEL_CONFIG_MEDIA_TYPE,
      file: configFile,
    };

    const layers: ArtifactBlob[] = [];
    for (const [i, input] of inputs.entries()) {
      let st: fs.Stats;
      try {
        st = await fsp.stat(input.absPath);
      } catch {
        throw new OrreryError('NOT_FOUND', `model file ${input.absPath} does not exist`);
      }
      if (st.isDirectory()) {
        const tarFile = path.join(workDir, `layer-${i}.tar`);
        const { digest, size } = await writeTar(input.absPath, tarFile);
        layers.push({ digest, size, mediaType: MODEL_DIR_MEDIA_TYPE, file: tarFile, title: input.rel });
      } else if (st.isFile()) {
        const { digest, size } = input.sha256 ? { digest: `sha256:${input.sha256}`, size: st.size } : await fileDigest(input.absPath);
        layers.push({ digest, size, mediaType: MODEL_FILE_MEDIA_TYPE, file: path.resolve(input.absPath), title: input.rel });
      } else {
        throw new OrreryError('INVALID_INPUT', `${input.absPath} is neither a file nor a folder`);
      }
    }

    const descriptor = (b: ArtifactBlob): Descriptor => {
      const d: Descriptor = { mediaType: b.mediaType, digest: b.digest, size: b.size };
      if (b.title !== undefined) d.annotations = { [TITLE_ANNOTATION]: b.title };
      return d;
    };
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: MODEL_ARTIFACT_TYPE,
      config: descriptor(config),
      layers: layers.map(descriptor),
      annotations: {
        [MODEL_NAME_ANNOTATION]: card.name,
        [MODEL_VERSION_ANNOTATION]: card.version,
        'org.opencontainers.image.title': card.name,
        'org.opencontainers.image.version': card.version,
      },
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    return {
      manifest,
      manifestBytes,
      manifestDigest: `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`,
      blobs: [config, ...layers],
      workDir,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

export interface PushModelResult {
  digest: string;
  reference: string;
  /** Blobs actually sent (the others the registry already had). */
  uploaded: string[];
  skipped: string[];
  bytesSent: number;
}

/** Push every blob (HEAD-skipping those present), then the manifest under the ref's tag/digest. */
export async function pushModel(client: OciClient, ref: OciReference, artifact: ModelArtifact, progress?: ProgressCallback): Promise<PushModelResult> {
  const uploaded: string[] = [];
  const skipped: string[] = [];
  let bytesSent = 0;
  const done = new Set<string>();
  for (const blob of artifact.blobs) {
    if (done.has(blob.digest)) continue;
    done.add(blob.digest);
    const result = await client.pushBlob(ref, { digest: blob.digest, size: blob.size, file: blob.file }, progress);
    (result.uploaded ? uploaded : skipped).push(blob.digest);
    bytesSent += result.bytesSent;
  }
  const digest = await client.putManifest(ref, artifact.manifestBytes, OCI_MANIFEST_MEDIA_TYPE);
  return { digest, reference: formatReference({ ...ref, digest }), uploaded, skipped, bytesSent };
}

export interface PulledFile {
  path: string;
  absPath: string;
  digest: string;
  size: number;
  kind: 'file' | 'dir';
}

export interface PullModelResult {
  card: ModelCard;
  files: PulledFile[];
  digest: string;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await fsp.readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Pull a model into `intoDir` (missing or empty). Everything is downloaded and verified into a
 * staging folder beside it first; on any failure the staging folder goes and intoDir is untouched.
 */
export async function pullModel(client: OciClient, ref: OciReference, intoDir: string, progress?: ProgressCallback): Promise<PullModelResult> {
  const target = path.resolve(intoDir);
  if (!(await isEmptyOrMissing(target))) throw new OrreryError('CONFLICT', `${target} is not empty; pull a model into a new folder`);
  const { manifest, digest } = await client.getManifest(ref);
  const artifactType = manifest.artifactType ?? manifest.config.mediaType;
  if (artifactType !== MODEL_ARTIFACT_TYPE && manifest.config.mediaType !== MODEL_CONFIG_MEDIA_TYPE) {
    throw new OrreryError('INVALID_INPUT', `${formatReference(ref)} is not an Orrery model (artifact type ${artifactType})`);
  }

  const layers = manifest.layers.map((layer) => {
    const title = layer.annotations?.[TITLE_ANNOTATION];
    const rel = title === undefined ? null : safeRelativePath(title);
    if (title === undefined || !rel || rel !== title.replace(/^\.\//, '').replace(/\/+$/, '')) {
      throw new OrreryError('INVALID_INPUT', `layer ${layer.digest} has an unsafe or missing title ${JSON.stringify(title ?? null)}; refusing to pull`);
    }
    if (layer.mediaType !== MODEL_FILE_MEDIA_TYPE && layer.mediaType !== MODEL_DIR_MEDIA_TYPE) {
      throw new OrreryError('INVALID_INPUT', `layer ${rel} has unknown media type ${layer.mediaType}`);
    }
    return { layer, rel };
  });
  const rels = layers.map((l) => l.rel);
  for (const r of rels) {
    if (rels.filter((o) => o === r || o.startsWith(`${r}/`)).length > 1) throw new OrreryError('INVALID_INPUT', `the manifest lists "${r}" more than once or nested`);
  }

  const configBytes = await client.fetchBlobBytes(ref, manifest.config);
  let card: ModelCard;
  try {
    card = JSON.parse(configBytes.toString('utf8')) as ModelCard;
  } catch {
    throw new OrreryError('INVALID_INPUT', `the model config of ${formatReference(ref)} is not JSON`);
  }

  await fsp.mkdir(path.dirname(target), { recursive: true });
  const staging = await fsp.mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.pull-`));
  const downloads = path.join(staging, '.blobs');
  const tree = path.join(staging, 'tree');
  try {
    await fsp.mkdir(downloads);
    await fsp.mkdir(tree);
    const files: PulledFile[] = [];
    for (const [i, { layer, rel }] of layers.entries()) {
      const dest = path.resolve(tree, rel);
      if (!dest.startsWith(tree + path.sep)) throw new OrreryError('INVALID_INPUT', `layer title "${rel}" escapes the target folder`);
      if (layer.mediaType === MODEL_FILE_MEDIA_TYPE) {
        await client.pullBlob(ref, layer, dest, progress);
        files.push({ path: rel, absPath: path.join(target, rel), digest: layer.digest, size: layer.size, kind: 'file' });
      } else {
        const tarFile = path.join(downloads, `layer-${i}.tar`);
        await client.pullBlob(ref, layer, tarFile, progress);
        await extractTar(tarFile, dest);
        await fsp.rm(tarFile);
        files.push({ path: rel, absPath: path.join(target, rel), digest: layer.digest, size: layer.size, kind: 'dir' });
      }
    }
    await fsp.rm(downloads, { recursive: true });
    try {
      await fsp.rmdir(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await fsp.rename(tree, target);
    return { card, files, digest };
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}
