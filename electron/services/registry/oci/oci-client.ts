import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { OrreryError, type ErrorCode } from '../../../../shared/errors';
import { declaredLength, discardBody, readBounded, type BoundedBody } from './bounded-body';
import { noCredentials, type CredentialsProvider, type RegistryCredentials } from './credentials';
import { MAX_CONFIG_BYTES, MAX_ERROR_BODY_BYTES, MAX_LAYERS, MAX_MANIFEST_BYTES, MAX_TOKEN_BODY_BYTES } from './limits';
import { formatReference, manifestReference, registryBaseUrl, type OciReference } from './reference';
import { isUsableUploadState, MemoryUploadStateStore, type UploadState, type UploadStateStore } from './upload-state';

export { FileUploadStateStore, MemoryUploadStateStore, type UploadState, type UploadStateStore } from './upload-state';

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

/**
 * The registry's own words: `{errors:[{code,message,detail}]}`, else the start of the body. Only
 * the first MAX_ERROR_BODY_BYTES are read: an error page is the registry's to size, not ours to hold.
 */
async function registryErrorText(res: Response): Promise<string> {
  let text = '';
  try {
    text = (await readBounded(res, MAX_ERROR_BODY_BYTES)).bytes.toString('utf8');
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

/** `4 MiB`, `512 KiB`, else bytes. */
function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function isDigest(value: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(value);
}

/** Statuses by which a registry says it lost an upload or will not go on with it (unknown, invalid, out of range). */
const UPLOAD_REFUSED = new Set([400, 404, 416]);

/** An upload the registry will not continue; `error` is what the user sees if starting clean fails too. */
class UploadRefused extends Error {
  constructor(readonly error: OrreryError) {
    super(error.message);
  }
}

/**
 * The byte count an upload's `Range: 0-<last>` header says the registry holds. docker-registry
 * answers `0-0` for an empty upload, so that reads as 0 (Orrery never uploads a 1-byte chunked blob).
 */
function rangeOffset(range: string | null): number | null {
  const m = range ? /^(?:bytes=)?0-(\d+)$/.exec(range.trim()) : null;
  if (!m) return null;
  const last = Number(m[1]);
  if (!Number.isSafeInteger(last)) return null;
  return last === 0 ? 0 : last + 1;
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
    const answer = await this.readBody(ref, res, MAX_TOKEN_BODY_BYTES, `a token from ${realmUrl.host}`);
    if (!answer.complete) throw new OrreryError('UNAUTHORIZED', `token server ${realmUrl.host} answered with more than ${MAX_TOKEN_BODY_BYTES} bytes; refusing it`);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown } = {};
    try {
      body = (JSON.parse(answer.bytes.toString('utf8')) as typeof body | null) ?? {};
    } catch {
      // no token in it: said below
    }
    const value = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!value) throw new OrreryError('UNAUTHORIZED', `token server ${realmUrl.host} answered without a token`);
    const ttl = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(this.scopeKey(ref, actions), { value, expiresAt: Date.now() + Math.max(ttl - 10, 5) * 1000 });
    return value;
  }

  /** Read at most `limit` bytes of an answer; a connection dropped midway is UNAVAILABLE (worth retrying). */
  private async readBody(ref: OciReference, res: Response, limit: number, what: string): Promise<BoundedBody> {
    try {
      return await readBounded(res, limit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new OrreryError('UNAVAILABLE', `reading ${what} from registry ${ref.registry} failed (${why}); try again later`);
    }
  }

  /** The error a refusal becomes: the status's code, the registry's own words and what to do. */
  private async refusal(ref: OciReference, what: string, res: Response): Promise<OrreryError> {
    const said = await registryErrorText(res);
    return new OrreryError(statusCode(res.status), `registry ${ref.registry} refused ${what}: HTTP ${res.status}${said ? `: ${said}` : ''}${refusalHint(res.status)}`);
  }

  private async fail(ref: OciReference, what: string, res: Response): Promise<never> {
    throw await this.refusal(ref, what, res);
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
      // An upload of it saved by an earlier push is moot now (it may have finished just before a crash).
      await this.uploads.delete(this.uploadKey(ref, blob.digest));
      progress?.(blob.digest, blob.size, blob.size);
      return { uploaded: false, bytesSent: 0 };
    }
    if (blob.size < this.chunkThreshold) return this.pushMonolithic(ref, blob, progress);
    return this.pushChunked(ref, blob, progress);
  }

  private async startUpload(ref: OciReference): Promise<string> {
    const res = await this.request(ref, 'pull,push', 'POST', this.url(ref, 'blobs/uploads/'), { 'Content-Length': '0' });
    if (res.status !== 202) return this.fail(ref, `starting a blob upload to ${ref.repository}`, res);
    await discardBody(res);
    const location = res.headers.get('location');
    if (!location) throw new OrreryError('INTERNAL', `registry ${ref.registry} started an upload without a Location header`);
    return this.resolve(ref, location);
  }

  private withDigest(location: string, digest: string): string {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    return u.toString();
  }

  /** The closing PUT. A 400/404/416 means the registry lost or will not take this upload: UploadRefused. */
  private async finishUpload(ref: OciReference, location: string, blob: BlobSource, body?: Buffer): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body?.length ?? 0) };
    const res = await this.request(ref, 'pull,push', 'PUT', this.withDigest(location, blob.digest), headers, body ?? Buffer.alloc(0));
    if (res.status !== 201) {
      const error = await this.refusal(ref, `the upload of blob ${blob.digest}`, res);
      throw UPLOAD_REFUSED.has(res.status) ? new UploadRefused(error) : error;
    }
    await discardBody(res);
  }

  private async pushMonolithic(ref: OciReference, blob: BlobSource, progress?: ProgressCallback): Promise<PushBlobResult> {
    const data = await fsp.readFile(blob.file);
    if (data.length !== blob.size) throw new OrreryError('CONFLICT', `${blob.file} changed: ${data.length} bytes, expected ${blob.size}`);
    progress?.(blob.digest, 0, blob.size);
    const location = await this.startUpload(ref);
    try {
      await this.finishUpload(ref, location, blob, data);
    } catch (error) {
      throw error instanceof UploadRefused ? error.error : error;
    }
    progress?.(blob.digest, blob.size, blob.size);
    return { uploaded: true, bytesSent: data.length };
  }

  private uploadKey(ref: OciReference, digest: string): string {
    return `${ref.registry}/${ref.repository}@${digest}`;
  }

  /** Ask the registry how much of an upload it holds. Null when it lost it, refuses its state, or will not say. */
  private async uploadStatus(ref: OciReference, location: string): Promise<UploadState | null> {
    const res = await this.request(ref, 'pull,push', 'GET', location);
    await discardBody(res);
    if (res.status !== 204 && res.status !== 200) return null;
    const offset = rangeOffset(res.headers.get('range'));
    if (offset === null) return null;
    const next = res.headers.get('location');
    return { location: next ? this.resolve(ref, next) : location, offset };
  }

  /**
   * The saved upload of this blob, where the registry still holds it as saved; otherwise the entry
   * is discarded (damaged, expired, or stale: docker-registry refuses a state token whose offset
   * is not what it holds, as after a crash in the middle of a chunk) and null returned.
   */
  private async savedUpload(ref: OciReference, key: string, blob: BlobSource): Promise<UploadState | null> {
    const saved = await this.uploads.get(key);
    if (!saved) return null;
    let state: UploadState | null = null;
    if (isUsableUploadState(saved)) {
      state = await this.uploadStatus(ref, saved.location).catch((error: unknown) => {
        // Unreachable now: keep the entry for the next try. Anything else: the state is no good.
        if (isRetryable(error)) throw error;
        return null;
      });
    }
    if (!state || state.offset > blob.size) {
      await this.uploads.delete(key);
      return null;
    }
    return state;
  }

  /**
   * Resume the saved upload when the registry accepts it; when it refuses it on the way (404, 400,
   * 416: it expired, or holds other bytes than the state says), discard it and send the blob again
   * from the start in the same push. A fresh upload refused the same way fails with its message.
   */
  private async pushChunked(ref: OciReference, blob: BlobSource, progress?: ProgressCallback): Promise<PushBlobResult> {
    const key = this.uploadKey(ref, blob.digest);
    const counter = { sent: 0 };
    const saved = await this.savedUpload(ref, key, blob);
    if (saved) {
      try {
        await this.uploadChunks(ref, key, blob, saved, counter, progress);
        return { uploaded: true, bytesSent: counter.sent };
      } catch (error) {
        if (!(error instanceof UploadRefused)) throw error;
        await this.uploads.delete(key);
      }
    }
    try {
      await this.uploadChunks(ref, key, blob, { location: await this.startUpload(ref), offset: 0 }, counter, progress);
    } catch (error) {
      if (!(error instanceof UploadRefused)) throw error;
      await this.uploads.delete(key);
      throw error.error;
    }
    return { uploaded: true, bytesSent: counter.sent };
  }

  /**
   * PATCH the blob from `start.offset` on, saving the state after every chunk the registry
   * acknowledged (never before the first: an empty upload is not worth resuming), then PUT it.
   */
  private async uploadChunks(
    ref: OciReference,
    key: string,
    blob: BlobSource,
    start: UploadState,
    counter: { sent: number },
    progress?: ProgressCallback,
  ): Promise<void> {
    let state = start;
    let resyncs = 0;
    const handle = await fsp.open(blob.file, 'r');
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
          // Out of step with the registry: ask it where it stands and go on from there (a few times at most).
          const refused = await this.refusal(ref, `a chunk of blob ${blob.digest}`, res);
          const now = ++resyncs <= 3 ? await this.uploadStatus(ref, state.location) : null;
          if (!now || now.offset > blob.size) throw new UploadRefused(refused);
          state = now;
          continue;
        }
        if (res.status !== 202) {
          const error = await this.refusal(ref, `a chunk of blob ${blob.digest}`, res);
          throw UPLOAD_REFUSED.has(res.status) ? new UploadRefused(error) : error;
        }
        await discardBody(res);
        const location = res.headers.get('location');
        state = { location: location ? this.resolve(ref, location) : state.location, offset: rangeOffset(res.headers.get('range')) ?? end + 1 };
        counter.sent += length;
        await this.uploads.set(key, state);
        progress?.(blob.digest, state.offset, blob.size);
      }
    } finally {
      await handle.close();
    }
    await this.finishUpload(ref, state.location, blob);
    await this.uploads.delete(key);
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

  /**
   * GET a manifest (OCI image manifest), read with the spec's 4 MiB cap and verified against the
   * digest when the ref names one. A manifest is refused before any blob is fetched when it lists
   * more than MAX_LAYERS layers or any invalid descriptor.
   */
  async getManifest(ref: OciReference): Promise<FetchedManifest> {
    const target = manifestReference(ref);
    const name = formatReference(ref);
    const res = await this.request(ref, 'pull', 'GET', this.url(ref, `manifests/${target}`), {
      Accept: [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE].join(', '),
    });
    if (res.status === 404) {
      const said = await registryErrorText(res);
      throw new OrreryError('NOT_FOUND', `${name} was not found on registry ${ref.registry}: HTTP 404${said ? `: ${said}` : ''}`);
    }
    if (!res.ok) return this.fail(ref, `the manifest ${ref.repository}:${target}`, res);
    const body = await this.readBody(ref, res, MAX_MANIFEST_BYTES, `the manifest of ${name}`);
    if (!body.complete) {
      throw new OrreryError(
        'INVALID_INPUT',
        `the manifest of ${name} is larger than 4 MiB, the most the OCI distribution spec asks registries to accept; refusing to read it`,
      );
    }
    const { bytes, digest } = body;
    if (ref.digest && ref.digest !== digest) {
      throw new OrreryError('INVALID_INPUT', `registry ${ref.registry} served a manifest whose digest ${digest} is not the requested ${ref.digest}`);
    }
    let manifest: OciManifest & { manifests?: unknown };
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as OciManifest & { manifests?: unknown };
    } catch {
      throw new OrreryError('INVALID_INPUT', `the manifest of ${name} is not JSON`);
    }
    if (!manifest || typeof manifest !== 'object') throw new OrreryError('INVALID_INPUT', `the manifest of ${name} is not a JSON object`);
    const mediaType = (typeof manifest.mediaType === 'string' ? manifest.mediaType : undefined) ?? res.headers.get('content-type')?.split(';')[0] ?? OCI_MANIFEST_MEDIA_TYPE;
    if (mediaType === OCI_INDEX_MEDIA_TYPE || Array.isArray(manifest.manifests)) {
      throw new OrreryError('INVALID_INPUT', `${name} is an image index (a list of manifests), not an Orrery model`);
    }
    if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
      throw new OrreryError('INVALID_INPUT', `${name} is not an image manifest (media type ${mediaType.slice(0, 100)})`);
    }
    // Before anything looks at the layers one by one: their number is what a hostile manifest inflates.
    if (manifest.layers.length > MAX_LAYERS) {
      throw new OrreryError('INVALID_INPUT', `the manifest of ${name} lists ${manifest.layers.length} layers; Orrery pulls at most ${MAX_LAYERS}`);
    }
    for (const [i, d] of [manifest.config, ...manifest.layers].entries()) {
      if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || !isDigest(d.digest) || !Number.isSafeInteger(d.size) || d.size < 0 || typeof d.mediaType !== 'string') {
        throw new OrreryError('INVALID_INPUT', `the manifest of ${name} has an invalid descriptor (${i === 0 ? 'its config' : `layer ${i}`})`);
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
    const declared = declaredLength(res);
    if (declared !== null && declared !== size) {
      await discardBody(res);
      throw new OrreryError('INVALID_INPUT', `registry ${ref.registry} announced ${declared} bytes for blob ${digest}, whose descriptor says ${size}; nothing was stored`);
    }
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

  /**
   * A small blob (a config) read into memory: refused unread when its descriptor or Content-Length
   * says more than `maxBytes`, and dropped the moment the registry sends more than the descriptor's
   * size; verified against size and digest. `label` names it in messages (`the config`).
   */
  async fetchBlobBytes(ref: OciReference, descriptor: Pick<Descriptor, 'digest' | 'size'>, maxBytes = MAX_CONFIG_BYTES, label = 'the blob'): Promise<Buffer> {
    const { digest, size } = descriptor;
    const what = `${label} ${digest} of ${formatReference(ref)}`;
    if (!isDigest(digest)) throw new OrreryError('INVALID_INPUT', `"${String(digest).slice(0, 80)}" is not a sha256 digest`);
    if (size > maxBytes) {
      throw new OrreryError('INVALID_INPUT', `${what} declares ${size} bytes; Orrery reads ${label === 'the config' ? 'configs' : 'such blobs'} of at most ${formatBytes(maxBytes)}`);
    }
    const res = await this.request(ref, 'pull', 'GET', this.url(ref, `blobs/${digest}`));
    if (!res.ok) return this.fail(ref, `blob ${digest}`, res);
    const declared = declaredLength(res);
    if (declared !== null && declared !== size) {
      await discardBody(res);
      throw new OrreryError('INVALID_INPUT', `${what} is announced as ${declared} bytes, but its descriptor declares ${size}; refusing it`);
    }
    const body = await this.readBody(ref, res, size, what);
    if (!body.complete) throw new OrreryError('INVALID_INPUT', `${what} is longer than the ${size} bytes its descriptor declares; refusing it`);
    if (body.bytes.length !== size || body.digest !== digest) {
      throw new OrreryError(
        'INVALID_INPUT',
        `blob from registry ${ref.registry} failed verification: expected ${digest} (${size} bytes), got ${body.digest} (${body.bytes.length} bytes)`,
      );
    }
    return body.bytes;
  }
}
