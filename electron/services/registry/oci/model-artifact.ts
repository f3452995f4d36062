import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OrreryError } from '../../../../shared/errors';
import { OCI_MANIFEST_MEDIA_TYPE, type Descriptor, type OciClient, type OciManifest, type ProgressCallback } from './oci-client';
import { MAX_CONFIG_BYTES, MAX_LAYERS, MAX_MANIFEST_BYTES, MAX_PATH_BYTES, pathTooLong, quoteShort } from './limits';
import { findPathClash } from './path-clash';
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
  // What Orrery would refuse to pull back, it does not push either.
  if (files.length > MAX_LAYERS) {
    throw new OrreryError(
      'INVALID_INPUT',
      `the model has ${files.length} files; an artifact holds one layer per file and Orrery pulls at most ${MAX_LAYERS} layers, so pack the files into fewer (an archive) and register that`,
    );
  }
  const inputs = files.map((f) => {
    const rel = safeRelativePath(f.path);
    if (!rel) throw new OrreryError('INVALID_INPUT', `${quoteShort(f.path)} is not a safe relative path inside the model`);
    return { rel, absPath: f.absPath, sha256: f.sha256 };
  });
  const clash = findPathClash(inputs.map((i) => i.rel));
  if (clash?.kind === 'duplicate') throw new OrreryError('INVALID_INPUT', `${quoteShort(clash.path)} is listed twice`);
  if (clash?.kind === 'nested') throw new OrreryError('INVALID_INPUT', `${quoteShort(clash.path)} and a path inside it are both listed`);
  inputs.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

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
    if (manifestBytes.length > MAX_MANIFEST_BYTES) {
      throw new OrreryError(
        'INVALID_INPUT',
        `the model's manifest would be ${manifestBytes.length} bytes; registries need not accept manifests over 4 MiB (nor does Orrery read them), so use fewer files or shorter names`,
      );
    }
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

/** The longest model name or version a pulled card may give (Orrery's own names are far shorter). */
const MAX_CARD_FIELD = 1024;

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
 * A layer's title as the relative path it is stored under; refused when missing, unsafe (absolute,
 * `..`), not in its plain form, or longer than a file system stores. The length is checked first,
 * so nothing below it ever scans a huge title.
 */
function layerPath(layer: Descriptor, name: string): string {
  const title: unknown = layer.annotations?.[TITLE_ANNOTATION];
  if (typeof title === 'string' && Buffer.byteLength(title) > MAX_PATH_BYTES) {
    throw new OrreryError('INVALID_INPUT', `layer ${quoteShort(title)} of ${name} cannot be stored: its title is longer than ${MAX_PATH_BYTES} bytes`);
  }
  const rel = typeof title === 'string' ? safeRelativePath(title) : null;
  if (typeof title !== 'string' || !rel || rel !== plainTitle(title)) {
    throw new OrreryError(
      'INVALID_INPUT',
      `layer ${layer.digest} of ${name} has an unsafe or missing title ${typeof title === 'string' ? quoteShort(title) : 'null'}; refusing to pull`,
    );
  }
  const tooLong = pathTooLong(rel);
  if (tooLong) throw new OrreryError('INVALID_INPUT', `layer ${quoteShort(rel)} of ${name} cannot be stored: ${tooLong}`);
  return rel;
}

/** A title without a leading `./` or trailing slashes (no regex: titles come from the registry). */
function plainTitle(title: string): string {
  const start = title.startsWith('./') ? 2 : 0;
  let end = title.length;
  while (end > start && title.charCodeAt(end - 1) === 0x2f) end--;
  return title.slice(start, end);
}

export interface PullModelOptions {
  progress?: ProgressCallback | undefined;
  /**
   * Called with the manifest digest and the card before any layer is downloaded; throwing stops
   * the pull there (the registry refuses an artifact it already holds without fetching it again).
   */
  beforeDownload?: ((artifact: { digest: string; card: ModelCard }) => void | Promise<void>) | undefined;
}

/**
 * Pull a model into `intoDir` (missing or empty). Everything is downloaded and verified into a
 * staging folder beside it first; on any failure the staging folder goes and intoDir is untouched.
 */
export async function pullModel(client: OciClient, ref: OciReference, intoDir: string, options: PullModelOptions = {}): Promise<PullModelResult> {
  const { progress } = options;
  const target = path.resolve(intoDir);
  if (!(await isEmptyOrMissing(target))) throw new OrreryError('CONFLICT', `${target} is not empty; pull a model into a new folder`);
  const name = formatReference(ref);
  // getManifest has bounded the manifest's size and layer count and checked every descriptor.
  const { manifest, digest } = await client.getManifest(ref);
  const artifactType = manifest.artifactType ?? manifest.config.mediaType;
  if (artifactType !== MODEL_ARTIFACT_TYPE && manifest.config.mediaType !== MODEL_CONFIG_MEDIA_TYPE) {
    throw new OrreryError('INVALID_INPUT', `${name} is not an Orrery model (artifact type ${quoteShort(String(artifactType))})`);
  }

  const layers = manifest.layers.map((layer) => {
    const rel = layerPath(layer, name);
    if (layer.mediaType !== MODEL_FILE_MEDIA_TYPE && layer.mediaType !== MODEL_DIR_MEDIA_TYPE) {
      throw new OrreryError('INVALID_INPUT', `layer ${quoteShort(rel)} of ${name} has unknown media type ${quoteShort(layer.mediaType)}`);
    }
    return { layer, rel };
  });
  const clash = findPathClash(layers.map((l) => l.rel));
  if (clash?.kind === 'duplicate') throw new OrreryError('INVALID_INPUT', `the manifest of ${name} lists ${quoteShort(clash.path)} more than once; refusing to pull`);
  if (clash?.kind === 'nested') {
    throw new OrreryError('INVALID_INPUT', `the manifest of ${name} lists ${quoteShort(clash.path)} and ${quoteShort(clash.inner)} inside it; refusing to pull`);
  }

  const configBytes = await client.fetchBlobBytes(ref, manifest.config, MAX_CONFIG_BYTES, 'the config');
  let card: ModelCard;
  try {
    card = JSON.parse(configBytes.toString('utf8')) as ModelCard;
  } catch {
    throw new OrreryError('INVALID_INPUT', `the model config of ${name} is not JSON`);
  }
  if (!card || typeof card !== 'object' || Array.isArray(card)) throw new OrreryError('INVALID_INPUT', `the model config of ${name} is not a JSON object`);
  // The card's name and version end up in names, folders and messages: strings of a sane length only.
  for (const field of ['name', 'version'] as const) {
    const value: unknown = card[field];
    if (typeof value !== 'string' || value.length > MAX_CARD_FIELD) {
      throw new OrreryError(
        'INVALID_INPUT',
        `the model config of ${name} has ${typeof value === 'string' ? `a ${field} longer than ${MAX_CARD_FIELD} characters (${quoteShort(value)})` : `no ${field}`}`,
      );
    }
  }

  await options.beforeDownload?.({ digest, card });

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
        await extractTar(tarFile, dest, `layer ${quoteShort(rel)} of ${name}`);
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
