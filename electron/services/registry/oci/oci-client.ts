import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { OrreryError, type ErrorCode } from '../../../../shared/errors';
import { noCredentials, type CredentialsProvider, type RegistryCredentials } from './credentials';
import { formatReference, manifestReference, registryBaseUrl, type OciReference } from './reference';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
/** Called as bytes of one blob go out or come in. */
export type ProgressCallback = (digest: string, sent: number, total: number) => void;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

/** A blob to push: its content lives in a file. */
export interface BlobSource {
  digest: string;
  size: number;
  /** Absolute path of the file holding exactly the blob's bytes. */
  file: string;
}

/** Where an interrupted chunked upload stands: the registry's upload URL and how much it has. */
export interface UploadState {
  location: string;
  offset: number;
}

/** Persists chunked-upload state so an upload survives a restart. Keys are `registry/repo@digest`. */
export interface UploadStateStore {
  get(key: string): Promise<UploadState | null>;
  set(key: string, state: UploadState): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemoryUploadStateStore implements UploadStateStore {
  private readonly map = new Map<string, UploadState>();
  get(key: string): Promise<UploadState | null> {
    return Promise.resolve(this.map.get(key) ?? null);
  }
  set(key: string, state: UploadState): Promise<void> {
    this.map.set(key, { ...state });
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }
}

/** Upload state in one JSON file (written atomically). */
export class FileUploadStateStore implements UploadStateStore {
  constructor(private readonly file: string) {}
  private async readAll(): Promise<Record<string, UploadState>> {
    try {
      return JSON.parse(await fsp.readFile(this.file, 'utf8')) as Record<string, UploadState>;
    } catch {
      return {};
    }
  }
  private async writeAll(all: Record<string, UploadState>): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(all));
    await fsp.rename(tmp, this.file);
  }
  async get(key: string): Promise<UploadState | null> {
    return (await this.readAll())[key] ?? null;
  }
  async set(key: string, state: UploadState): Promise<void> {
    const all = await this.readAll();
    all[key] = state;
    await this.writeAll(all);
  }
  async delete(key: string): Promise<void> {
    const all = await this.readAll();
    if (!(key in all)) return;
    delete all[key];
    await this.writeAll(all);
  }
}

export interface OciClientOptions {
  credentials?: CredentialsProvider;
  fetch?: FetchLike;
  /** Blobs at least this big go up in chunks (PATCH); smaller ones in one PUT. Default 8 MiB. */
  chunkThreshold?: number;
  /** Bytes per PATCH. Default 8 MiB. */
  chunkSize?: number;
  uploadStateStore?: UploadStateStore;
}

export interface PushBlobResult {
  /** False when the registry already had the blob (HEAD said so) and nothing was sent. */
  uploaded: boolean;
  /** Bytes sent in this call (a resumed upload sends only the rest). */
  bytesSent: number;
}

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  bytes: Buffer;
  manifest: OciManifest;
}

export interface OciManifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

type Actions = 'pull' | 'pull,push';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Parse one `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export function parseChallenge(header: string): Challenge | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

function statusCode(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429 || status >= 500) return 'UNAVAILABLE';
  if (status >= 400 && status < 500) return 'INVALID_INPUT';
  return 'INTERNAL';
}

/** The registry's own words: `{errors:[{code,message,detail}]}`, else the start of the body. */
async function registryErrorText(res: Response): Promise<string> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    return '';
  }
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string; detail?: unknown }> };
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      return body.errors
        .map((e) => {
          const detail = e.detail === undefined || e.detail === null ? '' : ` (${typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail)})`;
          return `${e.code ?? 'ERROR'}: ${e.message ?? ''}${detail}`.slice(0, 500);
        })
        .join('; ');
    }
  } catch {
    // not JSON
  }
  // A proxy's HTML error page (nginx in front of the registry): its <title>, else its text.
  if (/^\s*<(?:!doctype|html|head|body)\b/i.test(text)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
    text = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/&nbsp;/g, ' ');
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** What to do about a refusal, where the status says more than the registry's words. */
function refusalHint(status: number): string {
  if (status === 413) {
    return '; the upload is too large: the registry (or a proxy in front of it) limits the size of uploads, so ask its operator to raise the limit (nginx: client_max_body_size)';
  }
  return '';
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function isDigest(value: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(value);
}

/** True for errors worth retrying later (the registry was unreachable or overloaded). */
export function isRetryable(error: unknown): boolean {
  return error instanceof OrreryError && error.code === 'UNAVAILABLE';
}

/**
 * A client for the OCI distribution API: auth challenges (Bearer tokens cached per scope, Basic),
 * blob upload (HEAD skip, monolithic or chunked + resumable), manifests, verified blob download.
 */
export class OciClient {
  private readonly credentials: CredentialsProvider;
  private readonly fetchImpl: FetchLike;
  readonly chunkThreshold: number;
  readonly chunkSize: number;
  private readonly uploads: UploadStateStore;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly basicHosts = new Map<string, string>();

  constructor(options: OciClientOptions = {}) {
    this.credentials = options.credentials ?? noCredentials;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.chunkThreshold = options.chunkThreshold ?? 8 * 1024 * 1024;
    this.chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
    if (this.chunkSize <= 0 || this.chunkThreshold <= 0) throw new OrreryError('INVALID_INPUT', 'chunk sizes must be positive');
    this.uploads = options.uploadStateStore ?? new MemoryUploadStateStore();
  }

  // ---------- transport & auth ----------

  private async send(ref: OciReference, url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, { redirect: 'follow', ...init });
    } catch (error) {
      if (error instanceof OrreryError) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const code = cause?.code ?? (error as NodeJS.ErrnoException).code;
      const why = code && UNREACHABLE_CODES.has(code) ? code : (cause?.message ?? (error as Error).message);
      throw new OrreryError('UNAVAILABLE', `registry at ${ref.registry} is unreachable (${why}); try again later`);
    }
  }

  private scopeKey(ref: OciReference, actions: Actions): string {
    return `${ref.registry} repository:${ref.repository}:${actions}`;
  }

  private authHeader(ref: OciReference, actions: Actions): string | undefined {
    const token = this.tokens.get(this.scopeKey(ref, actions)) ?? (actions === 'pull' ? this.tokens.get(this.scopeKey(ref, 'pull,push')) : undefined);
    if (token && token.expiresAt > Date.now()) return `Bearer ${token.value}`;
    return this.basicHosts.get(ref.registry);
  }

  /** Send one API request, answering a 401 challenge once. `body` must be re-sendable (a Buffer). */
  private async request(ref: OciReference, actions: Actions, method: string, url: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<Response> {
    const attempt = (auth: string | undefined): Promise<Response> => {
      const h: Record<string, string> = { ...headers };
      if (auth) h.Authorization = auth;
      const init: RequestInit = { method, headers: h };
      if (body !== undefined) init.body = body as unknown as RequestInit['body'];
      return this.send(ref, url, init);
    };
    const first = await attempt(this.authHeader(ref, actions));
    if (first.status !== 401) return first;
    const header = first.headers.get('www-authenticate');
    const challenge = header ? parseChallenge(header) : null;
    if (!challenge) return first;
    await first.body?.cancel().catch(() => undefined);
    let auth: string;
    if (challenge.scheme === 'bearer') {
      auth = `Bearer ${await this.fetchToken(ref, actions, challenge)}`;
    } else if (challenge.scheme === 'basic') {
      const creds = await this.credentials(ref.registry);
      if (!creds?.username) {
        throw new OrreryError('UNAUTHORIZED', `registry ${ref.registry} requires a username and password (Basic auth) and none are configured for it`);
      }
      auth = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
      this.basicHosts.set(ref.registry, auth);
    } else {
      throw new OrreryError('UNAUTHORIZED', `registry ${ref.registry} asks for unsupported auth scheme "${challenge.scheme}"`);
    }
    const second = await attempt(auth);
    if (second.status === 401 && challenge.scheme === 'basic') this.basicHosts.delete(ref.registry);
    return second;
  }

  private async fetchToken(ref: OciReference, actions: Actions, challenge: Challenge): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new OrreryError('UNAUTHORIZED', `registry ${ref.registry} sent a Bearer challenge without a realm`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new OrreryError('UNAUTHORIZED', `registry ${ref.registry} sent an invalid token realm "${realm}"`);
    }
    const scope = challenge.params.scope ?? `repository:${ref.repository}:${actions}`;
    const service = challenge.params.service;
    const creds: RegistryCredentials | null = await this.credentials(ref.registry);
    let res: Response;
    if (creds?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'orrery', scope });
      if (service) form.set('service', service);
      res = await this.send(ref, realmUrl.toString(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      for (const s of scope.split(' ')) if (s) realmUrl.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds?.username) {
        headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
        realmUrl.searchParams.set('account', creds.username);
      }
      res = await this.send(ref, realmUrl.toString(), { method: 'GET', headers });
    }
    if (!res.ok) {
      const said = await registryErrorText(res);
      throw new OrreryError(statusCode(res.status), `token server ${realmUrl.host} refused a token for ${scope}: HTTP ${res.status}${said ? `: ${said}` : ''}`);
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string; expires_in?: number };
    const value = body.token ?? body.access_token;
    if (!value) throw new OrreryError('UNAUTHORIZED', `token server ${realmUrl.host} answered without a token`);
    const ttl = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(this.scopeKey(ref, actions), { value, expiresAt: Date.now() + Math.max(ttl - 10, 5) * 1000 });
    return value;
  }

  private async fail(ref: OciReference, what: string, res: Response): Promise<never> {
    const said = await registryErrorText(res);
    throw new OrreryError(statusCode(res.status), `registry ${ref.registry} refused ${what}: HTTP ${res.status}${said ? `: ${said}` : ''}${refusalHint(res.status)}`);
  }

  private url(ref: OciReference, suffix: string): string {
    return `${registryBaseUrl(ref)}/v2/${ref.repository}/${suffix}`;
  }

  private resolve(ref: OciReference, location: string): string {
    return new URL(location, `${registryBaseUrl(ref)}/`).toString();
  }

  // ---------- blobs: push ----------

  async blobExists(ref: OciReference, digest: string, actions: Actions = 'pull'): Promise<boolean> {
    const res = await this.request(ref, actions, 'HEAD', this.url(ref, `blobs/${digest}`));
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return true;
    if (res.status === 404) return false;
    // A HEAD answer has no body: ask again with GET so the registry's error message can be shown.
    const again = await this.request(ref, actions, 'GET', this.url(ref, `blobs/${digest}`));
    if (again.ok) {
      await again.body?.cancel().catch(() => undefined);
      return true;
    }
    return this.fail(ref, `access to blob ${digest}`, again);
  }

  /** Upload one blob unless the registry already has it; large blobs go in resumable chunks. */
  async pushBlob(ref: OciReference, blob: BlobSource, progress?: ProgressCallback): Promise<PushBlobResult> {
    if (!isDigest(blob.digest)) throw new OrreryError('INVALID_INPUT', `"${blob.digest}" is not a sha256 digest`);
    if (await this.blobExists(ref, blob.digest, 'pull,push')) {
      progress?.(blob.digest, blob.size, blob.size);
      return { uploaded: false, bytesSent: 0 };
    }
    if (blob.size < this.chunkThreshold) return this.pushMonolithic(ref, blob, progress);
    return this.pushChunked(ref, blob, progress);
  }

  private async startUpload(ref: OciReference): Promise<string> {
    const res = await this.request(ref, 'pull,push', 'POST', this.url(ref, 'blobs/uploads/'), { 'Content-Length': '0' });
    if (res.status !== 202) return this.fail(ref, `starting a blob upload to ${ref.repository}`, res);
    await res.body?.cancel().catch(() => undefined);
    const location = res.headers.get('location');
    if (!location) throw new OrreryError('INTERNAL', `registry ${ref.registry} started an upload without a Location header`);
    return this.resolve(ref, location);
  }

  private withDigest(location: string, digest: string): string {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    return u.toString();
  }

  private async finishUpload(ref: OciReference, location: string, blob: BlobSource, body?: Buffer): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body?.length ?? 0) };
    const res = await this.request(ref, 'pull,push', 'PUT', this.withDigest(location, blob.digest), headers, body ?? Buffer.alloc(0));
    if (res.status !== 201) return this.fail(ref, `the upload of blob ${blob.digest}`, res);
    await res.body?.cancel().catch(() => undefined);
  }

  private async pushMonolithic(ref: OciReference, blob: BlobSource, progress?: ProgressCallback): Promise<PushBlobResult> {
    const data = await fsp.readFile(blob.file);
    if (data.length !== blob.size) throw new OrreryError('CONFLICT', `${blob.file} changed: ${data.length} bytes, expected ${blob.size}`);
    progress?.(blob.digest, 0, blob.size);
    const location = await this.startUpload(ref);
    await this.finishUpload(ref, location, blob, data);
    progress?.(blob.digest, blob.size, blob.size);
    return { uploaded: true, bytesSent: data.length };
  }

  private uploadKey(ref: OciReference, digest: string): string {
    return `${ref.registry}/${ref.repository}@${digest}`;
  }

  /** Ask the registry how much of an upload it holds: `Range: 0-N` → N+1. Null when it lost it. */
  private async uploadStatus(ref: OciReference, location: string): Promise<UploadState | null> {
    const res = await this.request(ref, 'pull,push', 'GET', location);
    await res.body?.cancel().catch(() => undefined);
    if (res.status !== 204 && res.status !== 200) return null;
    const range = res.headers.get('range');
    const m = range ? /^(?:bytes=)?0-(\d+)$/.exec(range.trim()) : null;
    const offset = m ? Number(m[1]) + 1 : 0;
    const next = res.headers.get('location');
    return { location: next ? this.resolve(ref, next) : location, offset };
  }

  private async pushChunked(ref: OciReference, blob: BlobSource, progress?: ProgressCallback): Promise<PushBlobResult> {
    const key = this.uploadKey(ref, blob.digest);
    let state: UploadState | null = null;
    const saved = await this.uploads.get(key);
    if (saved) {
      state = await this.uploadStatus(ref, saved.location).catch((error: unknown) => {
        if (isRetryable(error)) throw error;
        return null;
      });
      if (!state || state.offset > blob.size) state = null;
    }
    if (!state) state = { location: await this.startUpload(ref), offset: 0 };
    await this.uploads.set(key, state);

    const handle = await fsp.open(blob.file, 'r');
    let sent = 0;
    try {
      progress?.(blob.digest, state.offset, blob.size);
      while (state.offset < blob.size) {
        const length = Math.min(this.chunkSize, blob.size - state.offset);
        const chunk = Buffer.alloc(length);
        const { bytesRead } = await handle.read(chunk, 0, length, state.offset);
        if (bytesRead !== length) throw new OrreryError('CONFLICT', `${blob.file} changed while it was being uploaded`);
        const end: number = state.offset + length - 1;
        const res = await this.request(
          ref,
          'pull,push',
          'PATCH',
          state.location,
          { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), 'Content-Range': `${state.offset}-${end}` },
          chunk,
        );
        if (res.status === 416) {
          // Out of step with the registry: ask it where it stands and continue from there.
          await res.body?.cancel().catch(() => undefined);
          const now = await this.uploadStatus(ref, state.location);
          if (!now) {
            await this.uploads.delete(key);
            throw new OrreryError('CONFLICT', `registry ${ref.registry} lost the upload of ${blob.digest}; push again`);
          }
          state = now;
          await this.uploads.set(key, state);
          continue;
        }
        if (res.status !== 202) {
          if (res.status === 404 || res.status === 400) await this.uploads.delete(key);
          return await this.fail(ref, `a chunk of blob ${blob.digest}`, res);
        }
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        const range = res.headers.get('range');
        const m = range ? /^(?:bytes=)?0-(\d+)$/.exec(range.trim()) : null;
        state = { location: location ? this.resolve(ref, location) : state.location, offset: m ? Number(m[1]) + 1 : end + 1 };
        sent += length;
        await this.uploads.set(key, state);
        progress?.(blob.digest, state.offset, blob.size);
      }
    } finally {
      await handle.close();
    }
    await this.finishUpload(ref, state.location, blob);
    await this.uploads.delete(key);
    return { uploaded: true, bytesSent: sent };
  }

  // ---------- manifests ----------

  /** PUT a manifest under a tag or digest; returns the manifest's digest. */
  async putManifest(ref: OciReference, bytes: Buffer, mediaType = OCI_MANIFEST_MEDIA_TYPE): Promise<string> {
    const digest = `sha256:${sha256Hex(bytes)}`;
    const target = manifestReference(ref);
    if (ref.digest && ref.digest !== digest) throw new OrreryError('INVALID_INPUT', `the manifest's digest is ${digest}, not ${ref.digest}`);
    const res = await this.request(ref, 'pull,push', 'PUT', this.url(ref, `manifests/${target}`), { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) }, bytes);
    if (res.status !== 201 && res.status !== 200) return this.fail(ref, `the manifest for ${ref.repository}:${target}`, res);
    await res.body?.cancel().catch(() => undefined);
    return digest;
  }

  /** GET a manifest (OCI image manifest); verified against the digest when the ref names one. */
  async getManifest(ref: OciReference): Promise<FetchedManifest> {
    const target = manifestReference(ref);
    const res = await this.request(ref, 'pull', 'GET', this.url(ref, `manifests/${target}`), {
      Accept: [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE].join(', '),
    });
    if (res.status === 404) {
      const said = await registryErrorText(res);
      throw new OrreryError('NOT_FOUND', `${formatReference(ref)} was not found on registry ${ref.registry}: HTTP 404${said ? `: ${said}` : ''}`);
    }
    if (!res.ok) return this.fail(ref, `the manifest ${ref.repository}:${target}`, res);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > 4 * 1024 * 1024) throw new OrreryError('INVALID_INPUT', `the manifest ${ref.repository}:${target} is larger than 4 MiB`);
    const digest = `sha256:${sha256Hex(bytes)}`;
    if (ref.digest && ref.digest !== digest) {
      throw new OrreryError('INVALID_INPUT', `registry ${ref.registry} served a manifest whose digest ${digest} is not the requested ${ref.digest}`);
    }
    let manifest: OciManifest;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as OciManifest;
    } catch {
      throw new OrreryError('INVALID_INPUT', `the manifest ${ref.repository}:${target} is not JSON`);
    }
    const mediaType = manifest.mediaType ?? res.headers.get('content-type')?.split(';')[0] ?? OCI_MANIFEST_MEDIA_TYPE;
    if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
      throw new OrreryError('INVALID_INPUT', `${ref.repository}:${target} is not an image manifest (media type ${mediaType})`);
    }
    for (const d of [manifest.config, ...manifest.layers]) {
      if (!d || !isDigest(d.digest) || !Number.isSafeInteger(d.size) || d.size < 0) {
        throw new OrreryError('INVALID_INPUT', `the manifest ${ref.repository}:${target} has an invalid descriptor`);
      }
    }
    return { mediaType, digest, bytes, manifest };
  }

  // ---------- blobs: pull ----------

  /**
   * Download a blob into `dest`, streaming through sha256. It is written to a temp file next to
   * `dest` and renamed only when digest and size match; on mismatch the temp file is deleted.
   */
  async pullBlob(ref: OciReference, descriptor: Pick<Descriptor, 'digest' | 'size'>, dest: string, progress?: ProgressCallback): Promise<void> {
    const { digest, size } = descriptor;
    if (!isDigest(digest)) throw new OrreryError('INVALID_INPUT', `"${digest}" is not a sha256 digest`);
    const res = await this.request(ref, 'pull', 'GET', this.url(ref, `blobs/${digest}`));
    if (!res.ok) return this.fail(ref, `blob ${digest}`, res);
    if (!res.body) throw new OrreryError('INTERNAL', `registry ${ref.registry} sent blob ${digest} without a body`);
    const tmp = `${dest}.${randomBytes(6).toString('hex')}.partial`;
    const hash = createHash('sha256');
    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        if (received > size) {
          cb(new OrreryError('INVALID_INPUT', `registry ${ref.registry} sent more than the ${size} bytes of blob ${digest}`));
          return;
        }
        hash.update(chunk);
        progress?.(digest, received, size);
        cb(null, chunk);
      },
    });
    try {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await pipeline(Readable.fromWeb(res.body as unknown as NodeWebReadableStream<Uint8Array>), meter, fs.createWriteStream(tmp, { flags: 'wx' }));
      const actual = `sha256:${hash.digest('hex')}`;
      if (received !== size || actual !== digest) {
        throw new OrreryError(
          'INVALID_INPUT',
          `blob from registry ${ref.registry} failed verification: expected ${digest} (${size} bytes), got ${actual} (${received} bytes); nothing was stored`,
        );
      }
      await fsp.rename(tmp, dest);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      if (error instanceof OrreryError) throw error;
      throw new OrreryError('UNAVAILABLE', `download of blob ${digest} from registry ${ref.registry} failed: ${(error as Error).message}`);
    }
  }

  /** A small blob (a config) read into memory and verified. */
  async fetchBlobBytes(ref: OciReference, descriptor: Pick<Descriptor, 'digest' | 'size'>, maxBytes = 4 * 1024 * 1024): Promise<Buffer> {
    if (descriptor.size > maxBytes) throw new OrreryError('INVALID_INPUT', `blob ${descriptor.digest} is larger than ${maxBytes} bytes`);
    const res = await this.request(ref, 'pull', 'GET', this.url(ref, `blobs/${descriptor.digest}`));
    if (!res.ok) return this.fail(ref, `blob ${descriptor.digest}`, res);
    const bytes = Buffer.from(await res.arrayBuffer());
    const actual = `sha256:${sha256Hex(bytes)}`;
    if (bytes.length !== descriptor.size || actual !== descriptor.digest) {
      throw new OrreryError('INVALID_INPUT', `blob from registry ${ref.registry} failed verification: expected ${descriptor.digest}, got ${actual}`);
    }
    return bytes;
  }
}
